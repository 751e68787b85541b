/**
 * Requests and cost over time, stacked by tier or model. The summary endpoint groups by one dimension over
 * a time range, so each bucket is one `GET /api/usage?since=&until=&by=` call: exact totals from the
 * store's aggregates, at a fixed number of small queries per period (12–30), whatever the request volume.
 */
import { fetchUsage, type SummaryDimension } from './api.js';
import type { StackedSeries } from './charts.js';

export type Period = '1h' | '24h' | '7d' | '30d';

export const PERIODS: Record<Period, { label: string; bucketMs: number; buckets: number }> = {
  '1h': { label: 'the last hour', bucketMs: 5 * 60_000, buckets: 12 },
  '24h': { label: 'the last 24 hours', bucketMs: 3_600_000, buckets: 24 },
  '7d': { label: 'the last 7 days', bucketMs: 6 * 3_600_000, buckets: 28 },
  '30d': { label: 'the last 30 days', bucketMs: 86_400_000, buckets: 30 },
};

/** More groups than this are folded into "other" so a chart stays readable. */
const MAX_GROUPS = 6;
const PARALLEL_REQUESTS = 6;

/** Bucket start times ending with the bucket that holds `now`, aligned to local time. */
export function bucketStarts(period: Period, now: number): number[] {
  const { bucketMs, buckets } = PERIODS[period];
  const offset = new Date(now).getTimezoneOffset() * 60_000;
  const lastStart = Math.floor((now - offset) / bucketMs) * bucketMs + offset;
  return Array.from({ length: buckets }, (_, index) => lastStart - (buckets - 1 - index) * bucketMs);
}

export interface TimeSeries {
  requests: StackedSeries;
  cost: StackedSeries;
}

async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export async function loadTimeSeries(period: Period, by: Extract<SummaryDimension, 'tier' | 'model'>, now: number, signal: AbortSignal): Promise<TimeSeries> {
  const { bucketMs } = PERIODS[period];
  const starts = bucketStarts(period, now);
  const summaries = await mapLimited(starts, PARALLEL_REQUESTS, (start) => fetchUsage({ since: start, until: start + bucketMs, by }, signal));
  const totals = new Map<string, number>();
  for (const summary of summaries) {
    for (const row of summary.rows) {
      const key = row.key ?? `no ${by}`;
      totals.set(key, (totals.get(key) ?? 0) + row.requests);
    }
  }
  const ranked = [...totals.entries()].sort((left, right) => right[1] - left[1] || left[0].localeCompare(right[0])).map(([key]) => key);
  const kept = ranked.length > MAX_GROUPS ? ranked.slice(0, MAX_GROUPS - 1) : ranked;
  const groupOf = (key: string): string => (kept.includes(key) ? key : 'other');
  const keys = ranked.length > kept.length ? [...kept, 'other'] : kept;
  const requests = keys.map((key) => ({ key, values: new Array<number>(starts.length).fill(0) }));
  const cost = keys.map((key) => ({ key, values: new Array<number>(starts.length).fill(0) }));
  summaries.forEach((summary, index) => {
    for (const row of summary.rows) {
      const position = keys.indexOf(groupOf(row.key ?? `no ${by}`));
      requests[position]!.values[index]! += row.requests;
      cost[position]!.values[index]! += row.costUsd ?? 0;
    }
  });
  return { requests: { times: starts, bucketMs, groups: requests }, cost: { times: starts, bucketMs, groups: cost } };
}
