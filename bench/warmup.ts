/**
 * Warming a target until its CPU per request stops falling, so that the rounds after it measure the steady cost a
 * long-running process has, not a point on its warm-up curve.
 *
 * Why: measured on these 2-core VMs under steady load in 1 s slices, the bare proxy's CPU per request fell from 1,258 to
 * about 400 µs over its first 10 s and the gateway's from 2,049 to about 550 µs over 15 s (V8 tiering up, then the
 * caches and the allocator settling). A fixed warm-up of a second or two left each target at a different point of its
 * own curve, and the ratio between them depended on where. The first slice is kept and reported: it is what a process
 * costs before it is warm.
 */
import { median } from './measure.js';

/** When warming stops: after at least `minSlices` slices, once `window` slices in a row set no new low. */
export interface WarmupPolicy {
  sliceSeconds: number;
  window: number;
  /** A slice sets a new low when it is more than this fraction below the lowest slice before the window. */
  tolerance: number;
  minSlices: number;
  maxSlices: number;
}

/** Before each scenario: the target has run the same request shape before, and needs seconds to settle on this load. */
export const DEFAULT_WARMUP: WarmupPolicy = { sliceSeconds: 0.5, window: 6, tolerance: 0.02, minSlices: 8, maxSlices: 40 };

/**
 * The first time a target serves a request shape: at least 12 s. A gateway's cost falls slowly for its first 15-20 s
 * (2,049 µs a request in the first second, 762 after five, 555 after ten, 529 after thirteen), so slow that six
 * slices without a new low came early enough to stop it at 809 µs.
 */
export const INITIAL_WARMUP: WarmupPolicy = { sliceSeconds: 0.5, window: 6, tolerance: 0.02, minSlices: 24, maxSlices: 60 };

/** One fixed second, for the mock ("direct"): the baseline of latency, whose CPU is not compared with anything. */
export const FIXED_SECOND_WARMUP: WarmupPolicy = { sliceSeconds: 0.5, window: 1, tolerance: 1, minSlices: 2, maxSlices: 2 };

/** A short, fixed warm-up for `--quick` smoke runs: they check that everything runs, not what it costs. */
export const QUICK_WARMUP: WarmupPolicy = { sliceSeconds: 0.15, window: 1, tolerance: 1, minSlices: 2, maxSlices: 2 };

/** The shortest a warm-up under `policy` can take. */
export const minimumSeconds = (policy: WarmupPolicy): number => policy.minSlices * policy.sliceSeconds;

const lowest = (values: readonly number[]): number => values.reduce((low, value) => (value > 0 && value < low ? value : low), Number.POSITIVE_INFINITY);

/**
 * True once the slices measured so far (CPU per request, oldest first) say the target has stopped getting cheaper: the
 * last `window` slices set no new low. Lows, not averages: on a shared VM a disturbance only ever makes a slice dearer,
 * so one disturbed slice in a window must not read as "no longer falling" (it did with medians: a gateway was let go
 * at 754 µs a request that settled at 550 ten seconds later), while a slice as cheap as the best so far is real.
 */
export function isWarm(slices: readonly number[], policy: WarmupPolicy): boolean {
  if (slices.length >= policy.maxSlices) return true;
  if (slices.length < Math.max(policy.minSlices, policy.window + 1)) return false;
  const before = lowest(slices.slice(0, -policy.window));
  const recent = lowest(slices.slice(-policy.window));
  if (!Number.isFinite(before) || !Number.isFinite(recent)) return false;
  return recent >= before * (1 - policy.tolerance);
}

/** What warming a target took. */
export interface WarmupResult {
  seconds: number;
  /** CPU ms per request of the first slice (the target as it was before this warm-up). */
  firstCpuMs: number;
  /** Median CPU ms per request of the last window (where the warm-up ended). */
  settledCpuMs: number;
  /** Every slice's CPU ms per request, oldest first. */
  slices: number[];
}

/** Runs `slice()` (one slice of load, returning its CPU ms per request) until `isWarm`. */
export async function warmUntilSteady(slice: (seconds: number) => Promise<number>, policy: WarmupPolicy): Promise<WarmupResult> {
  const slices: number[] = [];
  do slices.push(await slice(policy.sliceSeconds));
  while (!isWarm(slices, policy));
  return {
    seconds: slices.length * policy.sliceSeconds,
    firstCpuMs: slices[0]!,
    settledCpuMs: median(slices.slice(-policy.window)),
    slices,
  };
}
