/** The full decision for one request: why it went where it went, what it cost, and what happened upstream. */
import type { UsageRecord } from '../api.js';
import { h, replaceChildren, type Child } from '../dom.js';
import { formatDuration, formatTimestamp, formatTokens, formatUsd } from '../format.js';
import { protocolLabel, statusKind } from './requests-table.js';

function facts(entries: Array<[string, Child]>): HTMLElement {
  return h(
    'dl',
    { class: 'facts' },
    entries.map(([term, value]) => [h('dt', {}, term), h('dd', {}, value === null || value === undefined || value === '' ? '—' : value)]),
  );
}

function section(title: string, ...children: Child[]): HTMLElement {
  return h('section', { class: 'detail-section' }, h('h3', {}, title), ...children);
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

function asRecord(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/** Fill the dialog body with one record's decision and diagnostics. */
export function renderDetail(container: HTMLElement, record: UsageRecord): void {
  const detail = record.detail ?? {};
  const diagnostics = stringList(detail.diagnostics);
  const skipped = stringList(detail.skipped);
  const inference = asRecord(detail.inference);
  const errorMessage = typeof detail.error === 'string' ? detail.error : null;
  const savings = record.costUsd !== null && record.baselineCostUsd !== null ? record.baselineCostUsd - record.costUsd : null;
  const kind = statusKind(record);

  replaceChildren(
    container,
    h(
      'div',
      { class: 'decision-path', 'data-testid': 'decision-path' },
      h('span', { class: 'step' }, h('span', { class: 'step-label' }, 'mode'), record.mode ?? 'none', ' ', h('span', { class: `badge source-${record.modeSource}` }, record.modeSource)),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
      h('span', { class: 'step' }, h('span', { class: 'step-label' }, 'tier'), record.tier ?? 'none'),
      h('span', { class: 'arrow', 'aria-hidden': 'true' }, '→'),
      h('span', { class: 'step mono' }, h('span', { class: 'step-label' }, 'model'), record.servedModel ?? 'none'),
    ),
    h('p', { class: 'reason', 'data-testid': 'decision-reason' }, record.reason?.replaceAll(' -> ', ' → ') ?? 'No routing decision was recorded for this request.'),
    errorMessage !== null || record.errorCode !== null
      ? h('p', { class: 'error-box', role: 'note' }, h('strong', {}, record.errorCode ?? 'error'), errorMessage ? `: ${errorMessage}` : '')
      : null,
    h(
      'div',
      { class: 'detail-grid' },
      section(
        'Request',
        facts([
          ['Time', formatTimestamp(record.time)],
          ['Route', h('span', { class: 'mono' }, record.route)],
          ['Protocol', protocolLabel(record.clientProtocol)],
          ['Client', record.clientName],
          ['Session', record.sessionId],
          ['Requested', h('span', { class: 'mono' }, record.requestedModel ?? '—')],
          ['Served by', h('span', { class: 'mono' }, [record.provider, record.servedModel].filter(Boolean).join(' / ') || '—')],
          ['Status', h('span', { class: `badge status-${kind}` }, kind === 'aborted' ? `aborted (${record.status})` : String(record.status))],
          ['Streamed', record.streamed ? 'yes' : 'no'],
        ]),
      ),
      section(
        'Tokens and cost',
        facts([
          ['Input', formatTokens(record.inputTokens)],
          ['Output', formatTokens(record.outputTokens)],
          ['Cache read', formatTokens(record.cacheReadTokens)],
          ['Cache write', formatTokens(record.cacheWriteTokens)],
          ['Reasoning', formatTokens(record.reasoningTokens)],
          ['Cost', `${formatUsd(record.costUsd)}${record.costSource === 'unknown' ? '' : ` (${record.costSource})`}`],
          ['Baseline', formatUsd(record.baselineCostUsd)],
          ['Saved', formatUsd(savings)],
          ['Counts', record.tokensEstimated ? 'estimated by the gateway' : 'reported by the upstream'],
        ]),
      ),
      section('Timing', facts([['First byte', formatDuration(record.ttfbMs)], ['Total', formatDuration(record.durationMs)]])),
    ),
    section(
      `Attempts (${record.attempts.length})`,
      record.attempts.length === 0
        ? h('p', { class: 'empty-note' }, 'No upstream was called.')
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'data-table' },
              h('thead', {}, h('tr', {}, ['#', 'Provider', 'Model', 'Status', 'Failure', 'Duration'].map((label) => h('th', { scope: 'col' }, label)))),
              h(
                'tbody',
                {},
                record.attempts.map((attempt, index) =>
                  h(
                    'tr',
                    {},
                    h('td', {}, String(index + 1)),
                    h('td', {}, attempt.provider),
                    h('td', { class: 'mono' }, attempt.model),
                    h('td', {}, attempt.status === null ? '—' : String(attempt.status)),
                    h('td', { class: attempt.failureClass ? 'bad' : '' }, attempt.failureClass ?? 'ok'),
                    h('td', { class: 'num' }, formatDuration(attempt.durationMs)),
                  ),
                ),
              ),
            ),
          ),
    ),
    section(
      'Diagnostics',
      diagnostics.length === 0 && skipped.length === 0
        ? h('p', { class: 'empty-note' }, 'None: every candidate was usable.')
        : h('ul', { class: 'diagnostics', 'data-testid': 'diagnostics' }, [...diagnostics, ...skipped.map((reason) => `skipped: ${reason}`)].map((line) => h('li', {}, line))),
    ),
    inference !== null
      ? section(
          'Mode inference',
          facts([
            ['Inferred mode', typeof inference.mode === 'string' ? inference.mode : 'none'],
            ['Confidence', typeof inference.confidence === 'number' ? inference.confidence.toFixed(2) : '—'],
            ['Agent', typeof inference.agent === 'string' ? inference.agent : 'unknown'],
          ]),
          stringList(inference.evidence).length > 0 ? h('ul', { class: 'diagnostics' }, stringList(inference.evidence).map((line) => h('li', {}, line))) : null,
        )
      : null,
    h('details', { class: 'raw' }, h('summary', {}, 'Raw record (JSON)'), h('pre', {}, JSON.stringify(record, null, 2))),
  );
}
