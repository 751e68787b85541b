/**
 * The live recent-requests table. Rows are focusable; a click, Enter or Space opens the request's decision.
 * Re-rendering keeps keyboard focus on the same request and marks rows that just arrived.
 */
import type { UsageRecord } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatDuration, formatTime, formatTokens, formatUsd } from '../format.js';

const PROTOCOL_LABELS: Record<string, string> = {
  'openai-chat': 'OpenAI chat',
  'anthropic-messages': 'Anthropic',
  'openai-responses': 'OpenAI responses',
};

export function protocolLabel(protocol: string): string {
  return PROTOCOL_LABELS[protocol] ?? protocol;
}

/** `ok`, `error` or `aborted`, for the status badge. */
export function statusKind(record: UsageRecord): 'ok' | 'error' | 'aborted' {
  if (record.aborted) return 'aborted';
  return record.status >= 400 || record.errorCode !== null ? 'error' : 'ok';
}

export interface RequestsTable {
  render(records: readonly UsageRecord[]): void;
}

export function createRequestsTable(body: HTMLTableSectionElement, onOpen: (id: string, row: HTMLElement) => void): RequestsTable {
  let seen: Set<string> | null = null;
  const open = (row: HTMLElement): void => {
    const id = row.dataset.id;
    if (id !== undefined) onOpen(id, row);
  };
  body.addEventListener('click', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('tr[data-id]');
    if (row !== null) open(row);
  });
  body.addEventListener('keydown', (event) => {
    const row = (event.target as Element).closest<HTMLElement>('tr[data-id]');
    if (row === null) return;
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      open(row);
    } else if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const next = event.key === 'ArrowDown' ? row.nextElementSibling : row.previousElementSibling;
      if (next instanceof HTMLElement) next.focus();
    }
  });

  return {
    render(records) {
      const focusedId = document.activeElement instanceof HTMLElement && body.contains(document.activeElement) ? document.activeElement.dataset.id : undefined;
      const now = Date.now();
      if (records.length === 0) {
        replaceChildren(body, h('tr', {}, h('td', { colspan: 9, class: 'empty-note' }, 'No requests yet.')));
      } else {
        replaceChildren(body, records.map((record) => row(record, now, seen !== null && !seen.has(record.id))));
      }
      seen = new Set(records.map((record) => record.id));
      if (focusedId !== undefined) body.querySelector<HTMLElement>(`tr[data-id="${CSS.escape(focusedId)}"]`)?.focus();
    },
  };
}

function row(record: UsageRecord, now: number, fresh: boolean): HTMLElement {
  const kind = statusKind(record);
  const tokensTitle = [
    `input ${record.inputTokens ?? 'unknown'}`,
    `output ${record.outputTokens ?? 'unknown'}`,
    `cache read ${record.cacheReadTokens ?? 0}`,
    `cache write ${record.cacheWriteTokens ?? 0}`,
    record.tokensEstimated ? 'estimated' : '',
  ]
    .filter(Boolean)
    .join(', ');
  const attempts = record.attempts.length;
  return h(
    'tr',
    {
      'data-id': record.id,
      tabindex: 0,
      class: fresh ? 'fresh' : null,
      'aria-haspopup': 'dialog',
      'aria-label': `${record.mode ?? 'no mode'} request to ${record.servedModel ?? 'no model'} at ${formatTime(record.time, now)}, status ${record.status}. Open details`,
    },
    h('td', { class: 'nowrap', 'data-col': 'time', title: new Date(record.time).toISOString() }, formatTime(record.time, now)),
    h('td', { 'data-col': 'client' }, record.clientName ?? h('span', { class: 'muted' }, protocolLabel(record.clientProtocol))),
    h(
      'td',
      { 'data-col': 'mode' },
      record.mode ?? h('span', { class: 'muted' }, 'none'),
      ' ',
      h('span', { class: `badge source-${record.modeSource}` }, record.modeSource),
    ),
    modelCell(record),
    h('td', { class: 'num nowrap', 'data-col': 'tokens', title: tokensTitle }, `${formatTokens(record.inputTokens)} → ${formatTokens(record.outputTokens)}`),
    h('td', { class: 'num', 'data-col': 'cost', title: record.costUsd === null ? 'price unknown' : `$${record.costUsd} (${record.costSource})` }, formatUsd(record.costUsd)),
    h('td', { class: 'num nowrap', 'data-col': 'latency', title: `time to first byte ${formatDuration(record.ttfbMs)}` }, formatDuration(record.durationMs)),
    h(
      'td',
      { 'data-col': 'status' },
      h('span', { class: `badge status-${kind}`, title: record.errorCode ?? '' }, kind === 'aborted' ? 'aborted' : String(record.status)),
    ),
    h('td', { class: `num ${attempts > 1 ? 'warn' : ''}`.trim(), 'data-col': 'attempts' }, String(attempts)),
  );
}

/** The served model; for a request nothing served, the last model tried, dimmed. */
function modelCell(record: UsageRecord): HTMLElement {
  const requested = record.requestedModel ? `requested ${record.requestedModel}` : '';
  if (record.servedModel !== null) return h('td', { class: 'mono', 'data-col': 'model', title: requested }, record.servedModel);
  const tried = record.attempts[record.attempts.length - 1]?.model;
  if (tried === undefined) return h('td', { class: 'mono muted', 'data-col': 'model', title: requested }, '—');
  return h('td', { class: 'mono muted', 'data-col': 'model', title: `not served; last tried ${tried}` }, tried);
}
