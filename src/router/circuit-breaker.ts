/**
 * Circuit breakers per upstream candidate, as a pure state machine: time is passed in, nothing is read or written
 * outside the object. A candidate opens after `failureThreshold` consecutive retryable failures, is skipped while open,
 * and after `cooldownMs` lets exactly one probe through (half-open): success closes it, failure opens it again.
 */
export type CircuitState = 'closed' | 'open' | 'half-open';

export interface BreakerPolicy {
  failureThreshold: number;
  cooldownMs: number;
}

export const DEFAULT_BREAKER_POLICY: BreakerPolicy = { failureThreshold: 5, cooldownMs: 30_000 };

export interface CandidateHealth {
  key: string;
  state: CircuitState;
  consecutiveFailures: number;
  openedAt: number | null;
  lastFailureClass: string | null;
  lastFailureAt: number | null;
  lastSuccessAt: number | null;
  /** Attempts and failures over the recent window (decayed counts, so old history fades). */
  recentAttempts: number;
  recentFailures: number;
  /** Exponentially weighted mean latency of successful attempts, ms. */
  latencyMs: number | null;
}

const DECAY_HALF_LIFE_MS = 5 * 60_000;

export class CircuitBreakers {
  private readonly entries = new Map<string, CandidateHealth & { probeInFlight: boolean; decayedAt: number }>();

  constructor(private readonly policy: BreakerPolicy = DEFAULT_BREAKER_POLICY) {}

  /** Whether an attempt may go to `key` now. A half-open circuit admits one probe at a time. */
  admit(key: string, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || entry.state === 'closed') return true;
    if (entry.state === 'open') {
      if (now - (entry.openedAt ?? now) < this.policy.cooldownMs) return false;
      entry.state = 'half-open';
      entry.probeInFlight = false;
    }
    if (entry.probeInFlight) return false;
    entry.probeInFlight = true;
    return true;
  }

  success(key: string, now: number, latencyMs: number): void {
    const entry = this.entry(key, now);
    entry.state = 'closed';
    entry.consecutiveFailures = 0;
    entry.openedAt = null;
    entry.probeInFlight = false;
    entry.lastSuccessAt = now;
    entry.recentAttempts += 1;
    entry.latencyMs = entry.latencyMs === null ? latencyMs : entry.latencyMs * 0.8 + latencyMs * 0.2;
  }

  /**
   * A failure that says something about the upstream's health (not a client error, not an abort). `attemptStartedAt`
   * guards against a burst of failures that all began before a success: undici checks its timeouts on a coarse timer,
   * so many calls that hung in the same window fail in the same millisecond, while calls started after them succeed.
   * Those stale failures count in the error rate but do not push a healthy upstream's circuit open.
   */
  failure(key: string, now: number, failureClass: string, attemptStartedAt: number = now): void {
    const entry = this.entry(key, now);
    const stale = entry.lastSuccessAt !== null && attemptStartedAt < entry.lastSuccessAt;
    if (!stale || entry.state === 'half-open') entry.consecutiveFailures += 1;
    entry.lastFailureClass = failureClass;
    entry.lastFailureAt = now;
    entry.recentAttempts += 1;
    entry.recentFailures += 1;
    entry.probeInFlight = false;
    if (entry.state === 'half-open' || entry.consecutiveFailures >= this.policy.failureThreshold) {
      entry.state = 'open';
      entry.openedAt = now;
    }
  }

  /** Forgets every candidate's history (config reload, tests). */
  reset(): void {
    this.entries.clear();
  }

  /** Releases a half-open probe slot when the attempt ended without a verdict (e.g. the client went away). */
  release(key: string): void {
    const entry = this.entries.get(key);
    if (entry) entry.probeInFlight = false;
  }

  state(key: string, now: number): CircuitState {
    const entry = this.entries.get(key);
    if (!entry) return 'closed';
    if (entry.state === 'open' && now - (entry.openedAt ?? now) >= this.policy.cooldownMs) return 'half-open';
    return entry.state;
  }

  snapshot(now: number): CandidateHealth[] {
    return [...this.entries.values()].map(({ probeInFlight: _probe, decayedAt: _decayed, ...health }) => ({
      ...health,
      state: this.state(health.key, now),
    }));
  }

  private entry(key: string, now: number) {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = {
        key,
        state: 'closed',
        consecutiveFailures: 0,
        openedAt: null,
        lastFailureClass: null,
        lastFailureAt: null,
        lastSuccessAt: null,
        recentAttempts: 0,
        recentFailures: 0,
        latencyMs: null,
        probeInFlight: false,
        decayedAt: now,
      };
      this.entries.set(key, entry);
    }
    const factor = Math.pow(0.5, (now - entry.decayedAt) / DECAY_HALF_LIFE_MS);
    entry.recentAttempts *= factor;
    entry.recentFailures *= factor;
    entry.decayedAt = now;
    return entry;
  }
}
