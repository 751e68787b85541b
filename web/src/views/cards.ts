/** The headline cards: requests, cost, baseline, savings and savings % for the chosen period. */
import type { UsageSummaryRow } from '../api.js';
import { h, replaceChildren } from '../dom.js';
import { formatCount, formatPercent, formatTokens, formatUsd } from '../format.js';

export function renderCards(container: HTMLElement, total: UsageSummaryRow | null, periodLabel: string): void {
  const requests = total?.requests ?? 0;
  const errors = total?.errors ?? 0;
  const unpriced = total?.unpricedRequests ?? 0;
  const savings = total?.savingsUsd ?? null;
  const tone = savings === null || savings === 0 ? '' : savings > 0 ? 'good' : 'bad';
  replaceChildren(
    container,
    card('requests', 'Requests', formatCount(requests), [
      errors > 0 ? h('span', { class: 'bad' }, `${formatCount(errors)} ${errors === 1 ? 'error' : 'errors'}`) : 'no errors',
      ` · ${formatTokens(total?.inputTokens ?? null)} in / ${formatTokens(total?.outputTokens ?? null)} out`,
    ]),
    card('cost', 'Cost', formatUsd(requests === 0 ? 0 : (total?.costUsd ?? null)), [
      unpriced > 0 ? `${formatCount(unpriced)} without a known price` : `what ${periodLabel} cost`,
    ]),
    card('baseline', 'Baseline', formatUsd(requests === 0 ? 0 : (total?.baselineCostUsd ?? null)), ['everything on the reasoning tier']),
    card('savings', 'Savings', formatUsd(requests === 0 ? 0 : savings), ['baseline minus cost'], tone),
    card('savings-pct', 'Savings %', formatPercent(requests === 0 ? null : (total?.savingsPct ?? null)), ['of the baseline'], tone),
  );
}

function card(name: string, label: string, value: string, sub: Array<Node | string>, tone = ''): HTMLElement {
  return h(
    'div',
    { class: 'card', 'data-card': name },
    h('div', { class: 'card-label' }, label),
    h('div', { class: `card-value ${tone}`.trim() }, value),
    h('div', { class: 'card-sub' }, ...sub),
  );
}
