/**
 * Benchmark results: the row type, ratios to the bare proxy, the markdown table and the JSON file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StoreCostResult } from './store-cost.js';
import { median } from './measure.js';
import type { WarmupResult } from './warmup.js';

/** The processes measured. "direct" is the mock itself, loaded with no proxy in front. */
/** "gateway-store-on" and "gateway-store-off" are one process, its usage store switched on and off between rounds. */
export type TargetName = 'direct' | 'bare-proxy' | 'gateway' | 'gateway-store-on' | 'gateway-store-off';

/** Figures of one scenario on one target. */
export interface BenchRow {
  scenario: string;
  target: TargetName;
  concurrency: number;
  /** Why the row has no figures (e.g. the probe request failed); undefined when measured. */
  failure?: string;
  completed: number;
  failures: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** p50 minus the direct p50 of the same scenario (null for the direct row). */
  addedP50Ms: number | null;
  /** Median time to first body byte at concurrency 1 (null on rows that are not concurrency 1). */
  ttfbMs: number | null;
  /** CPU time (user + system) of the target process per completed request, pooled over the rounds. */
  cpuMsPerRequest: number;
  /** The same, round by round (the rounds interleave the targets, so round i of two targets ran seconds apart). */
  cpuMsPerRequestRounds?: number[];
  /** VmHWM of the target process over this scenario's runs (reset before them where Linux allows). */
  peakRssMb: number;
  /** How long the target was warmed on this scenario before the rounds, and its CPU per request at the start and end. */
  warmup?: WarmupResult;
}

/**
 * How one target's CPU per request compares with another's: the median over rounds of the per-round ratio, and the
 * lowest and highest round. Two targets' runs in the same round are seconds apart, so a per-round ratio cancels the
 * machine's drifts (on these VMs the same process measured 0.18 and 1.0 ms a request a minute apart), and the median
 * ignores a round that a neighbour disturbed; pooled totals let the slowest round dominate. Falls back to the pooled
 * ratio when the rounds are missing or do not pair up.
 */
export function cpuRatio(row: BenchRow, base: BenchRow): { median: number; low: number; high: number } | null {
  if (!(base.cpuMsPerRequest > 0) || !Number.isFinite(row.cpuMsPerRequest)) return null;
  const ours = row.cpuMsPerRequestRounds ?? [];
  const theirs = base.cpuMsPerRequestRounds ?? [];
  const ratios: number[] = [];
  if (ours.length > 0 && ours.length === theirs.length) {
    for (let round = 0; round < ours.length; round++) if (theirs[round]! > 0 && Number.isFinite(ours[round]!)) ratios.push(ours[round]! / theirs[round]!);
  }
  if (ratios.length === 0) {
    const pooled = row.cpuMsPerRequest / base.cpuMsPerRequest;
    return { median: pooled, low: pooled, high: pooled };
  }
  return { median: median(ratios), low: Math.min(...ratios), high: Math.max(...ratios) };
}

/** Row figures compared with the bare proxy. */
const RATIO_FIELDS = ['requestsPerSecond', 'p50Ms', 'p99Ms', 'addedP50Ms', 'ttfbMs', 'cpuMsPerRequest', 'peakRssMb'] as const;
type RatioField = (typeof RATIO_FIELDS)[number];

/** Each figure divided by the bare proxy's figure for the same scenario; null where either is missing or zero. */
export function ratiosToBare(row: BenchRow, rows: readonly BenchRow[]): Record<RatioField, number | null> {
  const bare = rows.find((candidate) => candidate.scenario === row.scenario && candidate.target === 'bare-proxy');
  const ratios = {} as Record<RatioField, number | null>;
  for (const field of RATIO_FIELDS) {
    const value = row[field];
    const base = bare?.[field];
    // A ratio needs a positive base: at saturation the bare proxy's added p50 can come out at or below zero (noise),
    // and dividing by it would print nonsense.
    ratios[field] =
      bare && !bare.failure && !row.failure && value !== null && base !== null && base !== undefined && base > 0 && Number.isFinite(value)
        ? value / base
        : null;
  }
  if (ratios.cpuMsPerRequest !== null && bare) ratios.cpuMsPerRequest = cpuRatio(row, bare)?.median ?? null;
  return ratios;
}

function formatNumber(value: number | null, digits: number): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return value.toFixed(digits);
}

function cell(value: number | null, ratio: number | null, digits: number): string {
  const text = formatNumber(value, digits);
  if (text === '—') return text;
  return ratio === null ? text : `${text} (${ratio.toFixed(2)}×)`;
}

/** The one markdown table: every figure with its ratio to the bare proxy in the same run. */
export function renderTable(rows: readonly BenchRow[]): string {
  const header =
    '| scenario | target | req/s | p50 ms | p99 ms | +p50 vs direct ms | TTFB ms (c1) | CPU ms/req | CPU ×bare, rounds | warm-up: s, first → settled CPU ms/req | peak RSS MB |';
  const divider = '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = [header, divider];
  for (const row of rows) {
    if (row.failure) {
      lines.push(`| ${row.scenario} | ${row.target} | failed: ${row.failure.replace(/\|/g, '/')} | | | | | | | | |`);
      continue;
    }
    const ratio = ratiosToBare(row, rows);
    const bare = rows.find((candidate) => candidate.scenario === row.scenario && candidate.target === 'bare-proxy' && !candidate.failure);
    const spread = bare && row !== bare ? cpuRatio(row, bare) : null;
    lines.push(
      [
        '',
        row.scenario,
        row.target,
        cell(row.requestsPerSecond, ratio.requestsPerSecond, 0),
        cell(row.p50Ms, ratio.p50Ms, 3),
        cell(row.p99Ms, ratio.p99Ms, 3),
        cell(row.addedP50Ms, ratio.addedP50Ms, 3),
        cell(row.ttfbMs, ratio.ttfbMs, 3),
        cell(row.cpuMsPerRequest, ratio.cpuMsPerRequest, 3),
        spread ? `${spread.low.toFixed(2)}–${spread.high.toFixed(2)}` : '—',
        row.warmup ? `${row.warmup.seconds.toFixed(1)}, ${formatNumber(row.warmup.firstCpuMs, 3)} → ${formatNumber(row.warmup.settledCpuMs, 3)}` : '—',
        cell(row.peakRssMb, ratio.peakRssMb, 1),
        '',
      ].join(' | ').trim(),
    );
  }
  return lines.join('\n');
}

/** Run-wide facts printed above the table and stored with the results. */
export interface BenchMeta {
  startedAt: string;
  node: string;
  platform: string;
  cpuModel: string;
  cores: number;
  durationSecondsPerRun: number;
  /** Interleaved rounds sharing each target's load time per scenario. */
  rounds?: number;
  ttfbRequests: number;
  quick: boolean;
  gatewayCommand: string;
  totalSeconds?: number;
  /** Where the processes ran, e.g. `proxies on CPU 1, load generator and mock on CPU 0`; absent when not pinned. */
  pinning?: string;
}

/** The header line: Node version and machine. */
export function renderHeader(meta: BenchMeta): string {
  return (
    `Node ${meta.node} on ${meta.platform}, ${meta.cores} cores (${meta.cpuModel}); ` +
    `${meta.durationSecondsPerRun} s of load per target and scenario in ${meta.rounds ?? 1} interleaved round(s), TTFB median of ${meta.ttfbRequests} requests` +
    `${meta.pinning ? `; ${meta.pinning}` : ''}${meta.quick ? ' [quick]' : ''}`
  );
}

/** Writes rows (with ratios), meta and any extra sections (e.g. mode inference) as JSON. */
export function writeResults(path: string, meta: BenchMeta, rows: readonly BenchRow[], extra: Record<string, unknown> = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const enriched = rows.map((row) => ({ ...row, ratioToBareProxy: ratiosToBare(row, rows) }));
  writeFileSync(path, `${JSON.stringify({ meta, rows: enriched, ...extra }, null, 2)}\n`);
}

/**
 * The store's cost measured in a hot loop (`store-cost.ts`) against the gateway's CPU per request in the same run, on
 * each scenario the store-off gateway also ran. A lower bound: the loop runs with warm caches (see `store-cost.ts`).
 */
export function renderStoreHotLoop(rows: readonly BenchRow[], hotLoop: StoreCostResult): string {
  const shares = rows
    .filter((row) => row.target === 'gateway' && !row.failure && rows.some((other) => other.scenario === row.scenario && other.target === 'gateway-store-off'))
    .map((row) => `${row.scenario} ${(row.cpuMsPerRequest * 1000).toFixed(0)} µs (the loop's figure is ${((hotLoop.microsecondsPerRecord / (row.cpuMsPerRequest * 1000)) * 100).toFixed(1)}% of it)`);
  const spread = `${Math.min(...hotLoop.rounds).toFixed(1)}–${Math.max(...hotLoop.rounds).toFixed(1)}`;
  return (
    `Store in a hot loop (journal write + batched SQLite insert, ${hotLoop.recordsPerRound} records a round): ` +
    `${hotLoop.microsecondsPerRecord.toFixed(1)} µs of CPU a record (rounds ${spread}), a lower bound: caches stay warm in a loop` +
    (shares.length > 0 ? `; the gateway's CPU per request in this run: ${shares.join(', ')}.` : '.')
  );
}

/**
 * What recording usage costs: CPU per request of the switchable gateway with its store on against off, round by round
 * (the rounds of the two states alternate in the one process).
 */
export function renderStoreCost(rows: readonly BenchRow[]): string | null {
  const lines = ['| scenario | CPU ms/req, store on | store off | store on vs off (median of rounds) | lowest–highest round |', '|---|--:|--:|--:|--:|'];
  const percent = (ratio: number): string => `${ratio >= 1 ? '+' : ''}${((ratio - 1) * 100).toFixed(1)}%`;
  for (const off of rows.filter((row) => row.target === 'gateway-store-off' && !row.failure)) {
    const on = rows.find((row) => row.scenario === off.scenario && row.target === 'gateway-store-on' && !row.failure);
    const change = on ? cpuRatio(on, off) : null;
    if (!on || !change) continue;
    lines.push(
      `| ${off.scenario} | ${on.cpuMsPerRequest.toFixed(3)} | ${off.cpuMsPerRequest.toFixed(3)} | ${percent(change.median)} | ${percent(change.low)} to ${percent(change.high)} |`,
    );
  }
  return lines.length > 2 ? lines.join('\n') : null;
}

/**
 * Progress after each scenario, with the time left extrapolated from this run's own pace (seconds per target run so
 * far): warm-ups last as long as each target takes to settle, so no figure known before the run holds. The first
 * estimate (the minimum) undercounted a full run by half (820 s printed, 1,698 s taken).
 */
export function renderProgress(done: { scenarios: number; runs: number }, total: { scenarios: number; runs: number }, elapsedSeconds: number): string {
  const left = total.runs - done.runs;
  const perRun = done.runs > 0 ? elapsedSeconds / done.runs : 0;
  const toGo = left > 0 && done.runs > 0 ? `; about ${Math.ceil((perRun * left) / 60)} min to go` : '';
  return `bench: ${done.scenarios}/${total.scenarios} scenarios measured in ${Math.round(elapsedSeconds)} s${toGo}`;
}
