/**
 * Breakdowns the summary endpoint cannot group by (mode × tier, mode source, latency percentiles, upstream
 * health without a health endpoint). They are computed from a bounded sample of the period's newest
 * requests, never from the whole table, and say so when the sample is not the whole period.
 */
import type { UpstreamHealth, UsageRecord } from '../api.js';
import { colorFor, h, replaceChildren } from '../dom.js';
import { formatCount, formatDuration, formatPercent, percentile } from '../format.js';

const NO_MODE = 'no mode';

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

function emptyNote(text: string): HTMLElement {
  return h('p', { class: 'empty-note' }, text);
}

/** One horizontal bar split into coloured segments, with a legend of counts and shares. */
function segmentedBar(segments: Array<{ key: string; count: number }>, label: string): HTMLElement {
  const total = segments.reduce((sum, segment) => sum + segment.count, 0);
  return h(
    'div',
    { class: 'segmented' },
    h(
      'div',
      { class: 'segmented-bar', role: 'img', 'aria-label': label },
      segments.map((segment) =>
        h('span', {
          class: 'segment',
          style: `width:${((segment.count / total) * 100).toFixed(2)}%;background:${colorFor(segment.key)}`,
          title: `${segment.key}: ${formatCount(segment.count)}`,
        }),
      ),
    ),
    h(
      'ul',
      { class: 'legend' },
      segments.map((segment) =>
        h(
          'li',
          { 'data-key': segment.key },
          h('span', { class: 'swatch', style: `background:${colorFor(segment.key)}` }),
          h('span', { class: 'legend-key' }, segment.key),
          h('span', { class: 'legend-value' }, `${formatCount(segment.count)} · ${formatPercent((segment.count / total) * 100)}`),
        ),
      ),
    ),
  );
}

/** Requests per mode, each bar split by the tier it was routed to. */
export function renderModeTier(container: HTMLElement, sample: readonly UsageRecord[]): void {
  if (sample.length === 0) return replaceChildren(container, emptyNote('No requests in this period.'));
  const byMode = new Map<string, Map<string, number>>();
  for (const record of sample) {
    const mode = record.mode ?? NO_MODE;
    const tiers = byMode.get(mode) ?? new Map<string, number>();
    const tier = record.tier ?? 'no tier';
    tiers.set(tier, (tiers.get(tier) ?? 0) + 1);
    byMode.set(mode, tiers);
  }
  const modes = [...byMode.entries()]
    .map(([mode, tiers]) => ({ mode, tiers, total: [...tiers.values()].reduce((sum, count) => sum + count, 0) }))
    .sort((left, right) => right.total - left.total || left.mode.localeCompare(right.mode));
  const largest = modes[0]?.total ?? 1;
  const allTiers = [...new Set(sample.map((record) => record.tier ?? 'no tier'))].sort();
  replaceChildren(
    container,
    h(
      'table',
      { class: 'bars-table' },
      h('caption', { class: 'visually-hidden' }, 'Requests per mode by tier'),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Mode'), h('th', { scope: 'col' }, 'Tier split'), h('th', { scope: 'col', class: 'num' }, 'Requests'))),
      h(
        'tbody',
        {},
        modes.map(({ mode, tiers, total }) =>
          h(
            'tr',
            { 'data-mode': mode },
            h('th', { scope: 'row', class: mode === NO_MODE ? 'muted' : '' }, mode),
            h(
              'td',
              { class: 'bar-cell' },
              h(
                'div',
                { class: 'bar-track', style: `width:${((total / largest) * 100).toFixed(2)}%` },
                [...tiers.entries()].map(([tier, count]) =>
                  h('span', {
                    class: 'segment',
                    style: `width:${((count / total) * 100).toFixed(2)}%;background:${colorFor(tier)}`,
                    title: `${tier}: ${formatCount(count)}`,
                  }),
                ),
              ),
            ),
            h('td', { class: 'num' }, formatCount(total)),
          ),
        ),
      ),
    ),
    h(
      'ul',
      { class: 'legend' },
      allTiers.map((tier) => h('li', {}, h('span', { class: 'swatch', style: `background:${colorFor(tier)}` }), h('span', { class: 'legend-key' }, tier))),
    ),
  );
}

/** Share of requests whose mode came from a header, from inference, from config or by default. */
export function renderModeSource(container: HTMLElement, sample: readonly UsageRecord[]): void {
  if (sample.length === 0) return replaceChildren(container, emptyNote('No requests in this period.'));
  const order = ['header', 'inferred', 'config', 'default'];
  const counts = countBy(sample, (record) => record.modeSource);
  const segments = [...counts.entries()]
    .map(([key, count]) => ({ key, count }))
    .sort((left, right) => (order.indexOf(left.key) + 1 || 99) - (order.indexOf(right.key) + 1 || 99));
  replaceChildren(container, segmentedBar(segments, 'Mode source share'));
}

interface LatencyRow {
  model: string;
  count: number;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  ttfb50: number | null;
  ttfb90: number | null;
}

/** Latency and time-to-first-byte percentiles per served model (successful requests only). */
export function renderLatency(container: HTMLElement, sample: readonly UsageRecord[]): void {
  const served = sample.filter((record) => record.servedModel !== null && record.status < 400 && !record.aborted);
  if (served.length === 0) return replaceChildren(container, emptyNote('No successful requests in this period.'));
  const groups = new Map<string, UsageRecord[]>();
  for (const record of served) groups.set(record.servedModel!, [...(groups.get(record.servedModel!) ?? []), record]);
  const rows: LatencyRow[] = [...groups.entries()].map(([model, records]) => {
    const durations = records.map((record) => record.durationMs).sort((left, right) => left - right);
    const ttfbs = records.flatMap((record) => (record.ttfbMs === null ? [] : [record.ttfbMs])).sort((left, right) => left - right);
    return {
      model,
      count: records.length,
      p50: percentile(durations, 50),
      p90: percentile(durations, 90),
      p99: percentile(durations, 99),
      ttfb50: percentile(ttfbs, 50),
      ttfb90: percentile(ttfbs, 90),
    };
  });
  rows.sort((left, right) => right.count - left.count);
  const scale = Math.max(1, ...rows.map((row) => row.p99 ?? 0));
  const bar = (value: number | null, kind: string): HTMLElement =>
    h('span', { class: `latency-bar ${kind}`, style: `width:${(((value ?? 0) / scale) * 100).toFixed(2)}%` });
  replaceChildren(
    container,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table latency-table' },
        h('caption', { class: 'visually-hidden' }, 'Latency percentiles per model'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Model', 'Requests', 'TTFB p50', 'TTFB p90', 'Latency p50', 'p90', 'p99'].map((label, index) =>
              h('th', { scope: 'col', class: index === 0 ? '' : 'num' }, label),
            ),
            h('th', { scope: 'col', class: 'bar-col' }, h('span', { class: 'visually-hidden' }, 'Latency distribution')),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((row) =>
            h(
              'tr',
              {},
              h('th', { scope: 'row', class: 'mono' }, row.model),
              h('td', { class: 'num' }, formatCount(row.count)),
              h('td', { class: 'num' }, formatDuration(row.ttfb50)),
              h('td', { class: 'num' }, formatDuration(row.ttfb90)),
              h('td', { class: 'num' }, formatDuration(row.p50)),
              h('td', { class: 'num' }, formatDuration(row.p90)),
              h('td', { class: 'num' }, formatDuration(row.p99)),
              h('td', { class: 'bar-col', 'aria-hidden': 'true' }, h('div', { class: 'latency-track' }, bar(row.p99, 'p99'), bar(row.p90, 'p90'), bar(row.p50, 'p50'))),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Upstream health: the gateway's own circuit state when `/api/health/upstreams` answers, otherwise error
 * rate and latency per provider and model derived from the attempts in the sample.
 */
export function renderHealth(container: HTMLElement, health: UpstreamHealth[] | null, sample: readonly UsageRecord[]): void {
  const derived = healthFromAttempts(sample);
  const rows: UpstreamHealth[] = health ?? derived;
  if (rows.length === 0) {
    return replaceChildren(container, emptyNote(health === null ? 'No data yet: no upstream attempts in this period.' : 'No upstream candidates reported.'));
  }
  replaceChildren(
    container,
    health === null ? h('p', { class: 'card-sub' }, 'This gateway does not report circuit state; error rate and latency come from recent attempts.') : null,
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        { class: 'data-table', 'data-testid': 'health-table' },
        h('caption', { class: 'visually-hidden' }, 'Upstream health'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['Candidate', 'Tier', 'Circuit', 'Error rate', 'Latency', 'Failures in a row', 'Last failure'].map((label, index) =>
              h('th', { scope: 'col', class: index >= 3 && index <= 5 ? 'num' : '' }, label),
            ),
          ),
        ),
        h(
          'tbody',
          {},
          rows.map((row) => {
            const state = row.state ?? 'not reported';
            return h(
              'tr',
              { 'data-candidate': row.key },
              h('th', { scope: 'row', class: 'mono' }, row.key),
              h('td', {}, row.tier ?? '—'),
              h('td', {}, h('span', { class: `badge circuit-${state.replace(/[^a-z-]/gi, '')}` }, state)),
              h('td', { class: `num ${row.errorRatePct !== null && row.errorRatePct >= 20 ? 'bad' : ''}`.trim() }, formatPercent(row.errorRatePct)),
              h('td', { class: 'num' }, formatDuration(row.latencyMs)),
              h('td', { class: 'num' }, formatCount(row.consecutiveFailures)),
              h('td', {}, row.lastFailureClass ?? '—'),
            );
          }),
        ),
      ),
    ),
  );
}

function healthFromAttempts(sample: readonly UsageRecord[]): UpstreamHealth[] {
  const groups = new Map<string, { attempts: number; failures: number; latencies: number[]; lastFailure: string | null }>();
  // Newest first, so the first failure seen for a candidate is its latest.
  for (const record of sample) {
    for (const attempt of record.attempts) {
      const key = `${attempt.provider} / ${attempt.model}`;
      const group = groups.get(key) ?? { attempts: 0, failures: 0, latencies: [], lastFailure: null };
      group.attempts += 1;
      if (attempt.failureClass !== null || (attempt.status !== null && attempt.status >= 400)) {
        group.failures += 1;
        group.lastFailure ??= attempt.failureClass ?? `HTTP ${attempt.status}`;
      } else {
        group.latencies.push(attempt.durationMs);
      }
      groups.set(key, group);
    }
  }
  return [...groups.entries()]
    .map(([key, group]) => ({
      key,
      tier: null,
      state: null,
      attempts: group.attempts,
      errorRatePct: (group.failures / group.attempts) * 100,
      consecutiveFailures: null,
      latencyMs: percentile(group.latencies.sort((left, right) => left - right), 50),
      lastFailureClass: group.lastFailure,
    }))
    .sort((left, right) => (right.attempts ?? 0) - (left.attempts ?? 0));
}
