/**
 * How long to wait before the next round of attempts. Pure: the random source is passed in.
 * Exponential backoff with full jitter, and the upstream's `retry-after` honoured up to a cap; a wait longer than the
 * cap is not worth holding an agent for, so the caller gives up instead.
 */
export interface RetryPolicy {
  /** Rounds over the candidate list after the first one. */
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest `retry-after` the gateway will wait for. */
  maxRetryAfterMs: number;
  /** Upper bound on the whole attempt loop, waits included. */
  maxTotalMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 250,
  maxDelayMs: 4_000,
  maxRetryAfterMs: 10_000,
  maxTotalMs: 60_000,
};

/** Parses `retry-after-ms`, then `retry-after` (seconds or an HTTP date), into milliseconds. */
export function retryAfterMs(headers: Record<string, string | string[] | undefined>, now: number): number | null {
  const milliseconds = first(headers['retry-after-ms']);
  if (milliseconds !== undefined && Number.isFinite(Number(milliseconds))) return Math.max(0, Number(milliseconds));
  const value = first(headers['retry-after']);
  if (value === undefined) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.max(0, Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/**
 * Delay before retry round `round` (1-based), or null when no further round should run: out of retries, out of time,
 * or the upstream asked for a longer wait than the cap.
 */
export function nextRetryDelay(
  policy: RetryPolicy,
  round: number,
  elapsedMs: number,
  requestedMs: number | null,
  random: () => number,
): number | null {
  if (round > policy.maxRetries) return null;
  if (requestedMs !== null && requestedMs > policy.maxRetryAfterMs) return null;
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (round - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const delay = Math.max(jittered, requestedMs ?? 0);
  return elapsedMs + delay > policy.maxTotalMs ? null : delay;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
