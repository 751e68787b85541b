/**
 * A per-request fault picker for soak tests: each upstream call fails, with probability `rate`, in one of the ways a
 * provider fails before the first token (error status, overload, rate limit with a short retry-after, a hang before
 * headers, a connection dropped after the headers). Plug it into `startMockUpstream({ scriptFor })` or the CLI's
 * `--fault-rate`.
 */
import type { MockScript } from './types.js';

/** The failures injected, by name. */
export type RandomFaultKind = 'status-500' | 'status-529' | 'status-429' | 'hang-before-headers' | 'drop-before-first-token';

export const RANDOM_FAULT_KINDS: readonly RandomFaultKind[] = ['status-500', 'status-529', 'status-429', 'hang-before-headers', 'drop-before-first-token'];

/** A fault picker with its running counts. */
export interface RandomFaults {
  /** For `MockUpstreamOptions.scriptFor`. */
  scriptFor(): MockScript | undefined;
  /** Calls seen, and faults injected of each kind. */
  counts: { calls: number; injected: number; byKind: Record<RandomFaultKind, number> };
}

export interface RandomFaultOptions {
  /** Probability that a call fails, 0..1. */
  rate: number;
  /** Which failures to draw from (default all of them, equally likely). */
  kinds?: readonly RandomFaultKind[];
  /** `retry-after-ms` on the 429 (default 20): short, so the gateway's retry honours it without a long wait. */
  retryAfterMs?: number;
  /** Random source in [0, 1) (default Math.random); pass a seeded one for a reproducible run. */
  random?: () => number;
}

function scriptOf(kind: RandomFaultKind, retryAfterMs: number): MockScript {
  switch (kind) {
    case 'status-500':
      return { fault: 'status', status: 500 };
    case 'status-529':
      return { fault: 'status', status: 529 };
    case 'status-429':
      return { fault: 'status', status: 429, retryAfterMs };
    case 'hang-before-headers':
      return { fault: 'hang-before-headers' };
    case 'drop-before-first-token':
      // Headers go out, then the socket is destroyed before any frame: for a stream, nothing reached the client yet.
      return { fault: 'drop-mid-stream', afterFrames: 0 };
  }
}

/** Builds a picker that fails `rate` of the calls, drawing the kind uniformly from `kinds`. */
export function createRandomFaults(options: RandomFaultOptions): RandomFaults {
  const random = options.random ?? Math.random;
  const kinds = options.kinds ?? RANDOM_FAULT_KINDS;
  const retryAfterMs = options.retryAfterMs ?? 20;
  const byKind = Object.fromEntries(RANDOM_FAULT_KINDS.map((kind) => [kind, 0])) as Record<RandomFaultKind, number>;
  const counts = { calls: 0, injected: 0, byKind };
  return {
    counts,
    scriptFor() {
      counts.calls += 1;
      if (kinds.length === 0 || random() >= options.rate) return undefined;
      const kind = kinds[Math.min(kinds.length - 1, Math.floor(random() * kinds.length))]!;
      counts.injected += 1;
      byKind[kind] += 1;
      return scriptOf(kind, retryAfterMs);
    },
  };
}

/** A small deterministic PRNG (mulberry32) so a soak run can be replayed with the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
