import type { ModelPrices } from '../catalog/models.js';
import type { CostSource, NormalizedUsage } from './types.js';

export interface Cost {
  usd: number | null;
  source: CostSource;
}

/**
 * Cost of one request's tokens at a price table, USD. Cache reads and writes are billed at their own prices and are part of
 * `inputTokens` (see NormalizedUsage), so only the remainder pays the plain input price. Returns null when the usage or the
 * price is unknown: an unknown cost is never 0.
 */
export function priceUsage(usage: NormalizedUsage, prices: ModelPrices | undefined): number | null {
  if (!prices || usage.inputTokens === null || usage.outputTokens === null) return null;
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  const plainInput = Math.max(0, usage.inputTokens - cacheRead - cacheWrite);
  const micro =
    plainInput * prices.input + usage.outputTokens * prices.output + cacheRead * prices.cacheRead + cacheWrite * prices.cacheWrite;
  return roundUsd(micro / 1_000_000);
}

/** The cost to report: the upstream's own figure when it gave one (OpenRouter does), else the catalog price, else unknown. */
export function costOf(usage: NormalizedUsage, prices: ModelPrices | undefined): Cost {
  if (typeof usage.upstreamCostUsd === 'number' && Number.isFinite(usage.upstreamCostUsd)) {
    return { usd: usage.upstreamCostUsd, source: 'upstream' };
  }
  const usd = priceUsage(usage, prices);
  return usd === null ? { usd: null, source: 'unknown' } : { usd, source: 'catalog' };
}

/** Rounded to a millionth of a cent, so sums of many requests stay exact to the cent. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e8) / 1e8;
}
