/**
 * Dashboard entry point: wires the controls, loads the period's aggregates and a bounded sample, and polls
 * the newest requests every two seconds. It never downloads the whole request table: cards and charts come
 * from `/api/usage` aggregates, breakdowns from at most `SAMPLE_LIMIT` records, the table from `RECENT_LIMIT`.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { fetchRequest, fetchRequests, fetchUpstreamHealth, fetchUsage, type UsageRecord } from './api.js';
import { createStackedChart } from './charts.js';
import { byId, replaceChildren } from './dom.js';
import { formatCount, formatTime, formatUsd } from './format.js';
import { loadTimeSeries, PERIODS, type Period } from './series.js';
import { setUpTheme } from './theme.js';
import { renderHealth, renderLatency, renderModeSource, renderModeTier } from './views/breakdowns.js';
import { renderCards } from './views/cards.js';
import { renderDetail } from './views/detail.js';
import { renderOnboarding } from './views/onboarding.js';
import { createRequestsTable } from './views/requests-table.js';

const SAMPLE_LIMIT = 500;
const RECENT_LIMIT = 25;
const POLL_MS = 2_000;
/** Charts and breakdowns refresh at most this often while requests keep arriving; the cards follow every poll. */
const CHARTS_REFRESH_MS = 10_000;
const PERIOD_KEY = 'automodel.period';

type StackBy = 'tier' | 'model';

const state = {
  period: readPeriod(),
  stackBy: 'tier' as StackBy,
  newestId: null as string | null,
  empty: null as boolean | null,
  paused: false,
  chartsLoadedAt: 0,
  lastError: null as string | null,
};

function readPeriod(): Period {
  const fromUrl = new URLSearchParams(location.search).get('period');
  let fromStorage: string | null = null;
  try {
    fromStorage = localStorage.getItem(PERIOD_KEY);
  } catch {
    // Storage disabled: use the default.
  }
  const candidate = fromUrl ?? fromStorage ?? '24h';
  return candidate in PERIODS ? (candidate as Period) : '24h';
}

const statusLine = byId('status');
const announcer = byId('announcer');
const announce = (message: string): void => {
  announcer.textContent = message;
};

const requestsChart = createStackedChart(byId('chart-requests'), { title: 'Requests over time', formatValue: (value) => formatCount(value) });
const costChart = createStackedChart(byId('chart-cost'), { title: 'Cost over time', formatValue: (value) => formatUsd(value) });
const table = createRequestsTable(byId<HTMLTableSectionElement>('requests-body'), (id, row) => void openDetail(id, row));

function setError(message: string | null): void {
  state.lastError = message;
  statusLine.classList.toggle('error', message !== null);
  if (message !== null) statusLine.textContent = message;
}

function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return `Could not load usage data: ${text}`;
}

let cardsController: AbortController | null = null;
async function refreshCards(): Promise<void> {
  cardsController?.abort();
  const controller = (cardsController = new AbortController());
  const summary = await fetchUsage({ since: state.period, by: 'tier' }, controller.signal);
  renderCards(byId('cards'), summary.total, PERIODS[state.period].label);
  const total = summary.total?.requests ?? 0;
  byId('period-summary').textContent = `${formatCount(total)} ${total === 1 ? 'request' : 'requests'} in ${PERIODS[state.period].label}`;
}

let chartsController: AbortController | null = null;
async function refreshCharts(): Promise<void> {
  chartsController?.abort();
  const controller = (chartsController = new AbortController());
  state.chartsLoadedAt = Date.now();
  const [series, sample, health] = await Promise.all([
    loadTimeSeries(state.period, state.stackBy, Date.now(), controller.signal),
    fetchRequests({ since: state.period, limit: SAMPLE_LIMIT }, controller.signal),
    fetchUpstreamHealth(controller.signal).catch(() => null),
  ]);
  if (controller.signal.aborted) return;
  requestsChart.update(series.requests);
  costChart.update(series.cost);
  const records: UsageRecord[] = sample.data;
  renderModeTier(byId('mode-tier'), records);
  renderModeSource(byId('mode-source'), records);
  renderLatency(byId('latency'), records);
  renderHealth(byId('health'), health, records);
  const note = records.length >= SAMPLE_LIMIT ? `Breakdowns use the newest ${formatCount(SAMPLE_LIMIT)} requests of ${PERIODS[state.period].label}.` : '';
  for (const element of document.querySelectorAll<HTMLElement>('[data-sample-note]')) element.textContent = note;
}

async function refreshOverview(): Promise<void> {
  try {
    await Promise.all([refreshCards(), refreshCharts()]);
    setError(null);
  } catch (error) {
    if ((error as Error).name !== 'AbortError') setError(describeError(error));
  }
}

function showEmptyState(empty: boolean): void {
  if (state.empty === empty) return;
  state.empty = empty;
  byId('onboarding').hidden = !empty;
  byId('overview').hidden = empty;
  byId('connect').hidden = empty;
}

let polling = false;
async function poll(): Promise<void> {
  if (state.paused || document.hidden || polling) return;
  polling = true;
  try {
    const list = await fetchRequests({ limit: RECENT_LIMIT });
    const newest = list.data[0]?.id ?? null;
    const changed = newest !== state.newestId;
    state.newestId = newest;
    showEmptyState(list.data.length === 0);
    table.render(list.data);
    if (changed && state.empty === false) {
      await refreshCards();
      if (Date.now() - state.chartsLoadedAt >= CHARTS_REFRESH_MS) await refreshCharts();
    }
    setError(null);
    statusLine.textContent = `Live · updated ${formatTime(Date.now())}`;
  } catch (error) {
    if ((error as Error).name !== 'AbortError') setError(describeError(error));
  } finally {
    polling = false;
  }
}

let lastOpenedId: string | null = null;
const dialog = byId<HTMLDialogElement>('detail');
const dialogBody = byId('detail-body');

async function openDetail(id: string, _row: HTMLElement): Promise<void> {
  lastOpenedId = id;
  byId('detail-title').textContent = `Request ${id}`;
  replaceChildren(dialogBody, 'Loading…');
  if (!dialog.open) dialog.showModal();
  try {
    const record = await fetchRequest(id);
    if (lastOpenedId === id) renderDetail(dialogBody, record);
  } catch (error) {
    replaceChildren(dialogBody, error instanceof Error ? error.message : String(error));
  }
}

dialog.addEventListener('close', () => {
  if (lastOpenedId !== null) document.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(lastOpenedId)}"]`)?.focus();
});
// A click on the backdrop (the dialog element itself, outside its content box) closes it.
dialog.addEventListener('click', (event) => {
  if (event.target === dialog) dialog.close();
});
byId('detail-close').addEventListener('click', () => dialog.close());

function setUpToggleGroup(groupId: string, current: string, onSelect: (value: string) => void): void {
  const buttons = [...byId(groupId).querySelectorAll<HTMLButtonElement>('button[data-value]')];
  const mark = (value: string): void => {
    for (const button of buttons) button.setAttribute('aria-pressed', String(button.dataset.value === value));
  };
  mark(current);
  for (const button of buttons) {
    button.addEventListener('click', () => {
      const value = button.dataset.value!;
      mark(value);
      onSelect(value);
    });
  }
}

setUpToggleGroup('period', state.period, (value) => {
  state.period = value as Period;
  try {
    localStorage.setItem(PERIOD_KEY, value);
  } catch {
    // Not remembered; fine.
  }
  announce(`Showing ${PERIODS[state.period].label}.`);
  void refreshOverview();
});
setUpToggleGroup('stack-by', state.stackBy, (value) => {
  state.stackBy = value as StackBy;
  void refreshCharts().catch((error: unknown) => {
    if ((error as Error).name !== 'AbortError') setError(describeError(error));
  });
});

const pauseButton = byId<HTMLButtonElement>('pause');
pauseButton.addEventListener('click', () => {
  state.paused = !state.paused;
  pauseButton.setAttribute('aria-pressed', String(state.paused));
  pauseButton.textContent = state.paused ? 'Resume' : 'Pause';
  byId('live').classList.toggle('paused', state.paused);
  statusLine.textContent = state.paused ? 'Paused' : statusLine.textContent;
  if (!state.paused) void poll();
});

setUpTheme(byId<HTMLButtonElement>('theme-toggle'), () => {
  requestsChart.redraw();
  costChart.redraw();
});

renderOnboarding(byId('onboarding-snippets'), location.origin, announce);
renderOnboarding(byId('connect-snippets'), location.origin, announce);

document.addEventListener('visibilitychange', () => {
  if (!document.hidden) void poll();
});

async function start(): Promise<void> {
  await poll();
  // For the browser test and anyone profiling: when the first full render finished, in ms since navigation.
  document.documentElement.dataset.readyMs = String(Math.round(performance.now()));
  document.documentElement.dataset.ready = 'true';
  setInterval(() => void poll(), POLL_MS);
}

void start();
