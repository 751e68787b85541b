/**
 * The dashboard's only window on the gateway: typed fetches of `/api/*`. Shapes mirror
 * `src/server/routes/usage-api.ts`; the record and summary row types are imported from the gateway's own, so the two
 * cannot drift apart silently.
 */
import type { UsageSummaryRow } from '../../src/usage/store.js';
import type { UsageRecord } from '../../src/usage/types.js';

/** `UsageSummaryRow` is one group of `GET /api/usage`. */
export type { UsageSummaryRow } from '../../src/usage/store.js';
export type { UsageRecord } from '../../src/usage/types.js';

export interface UsageSummary {
  since: string | null;
  until: string | null;
  by: string;
  rows: UsageSummaryRow[];
  total: UsageSummaryRow | null;
}

export interface RequestList {
  data: UsageRecord[];
  next_before: number | null;
}

/** One upstream candidate's health as the dashboard shows it, whatever shape the endpoint used. */
export interface UpstreamHealth {
  key: string;
  tier: string | null;
  state: string | null;
  /** Recent attempts, when the source counts them. */
  attempts: number | null;
  /** Recent failed share of attempts, 0–100. */
  errorRatePct: number | null;
  consecutiveFailures: number | null;
  latencyMs: number | null;
  lastFailureClass: string | null;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

async function getJson(path: string, signal?: AbortSignal): Promise<unknown> {
  const response = await fetch(path, { headers: { accept: 'application/json' }, ...(signal ? { signal } : {}) });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: { message?: string } };
      if (body.error?.message) message = body.error.message;
    } catch {
      // Not JSON: keep the status line.
    }
    throw new ApiError(response.status, message);
  }
  return response.json();
}

export type SummaryDimension = 'mode' | 'model' | 'tier' | 'client' | 'day' | 'session' | 'provider';

/** `GET /api/usage`: `since`/`until` are `24h`-style text or epoch milliseconds. */
export async function fetchUsage(
  query: { since: string | number; until?: number; by: SummaryDimension },
  signal?: AbortSignal,
): Promise<UsageSummary> {
  const params = new URLSearchParams({ since: String(query.since), by: query.by });
  if (query.until !== undefined) params.set('until', String(query.until));
  return (await getJson(`/api/usage?${params}`, signal)) as UsageSummary;
}

/** `GET /api/requests`, newest first. */
export async function fetchRequests(query: { limit: number; since?: string }, signal?: AbortSignal): Promise<RequestList> {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.since !== undefined) params.set('since', query.since);
  return (await getJson(`/api/requests?${params}`, signal)) as RequestList;
}

/** `GET /api/requests/:id`. */
export async function fetchRequest(id: string): Promise<UsageRecord> {
  return (await getJson(`/api/requests/${encodeURIComponent(id)}`)) as UsageRecord;
}

/**
 * `GET /api/health/upstreams`; null when the gateway does not offer it (404). Reads leniently: an array,
 * or an object holding one (`data`, `upstreams`, `candidates`), of entries shaped like the circuit
 * breaker's `CandidateHealth`.
 */
export async function fetchUpstreamHealth(signal?: AbortSignal): Promise<UpstreamHealth[] | null> {
  let body: unknown;
  try {
    body = await getJson('/api/health/upstreams', signal);
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 501)) return null;
    throw error;
  }
  const list = Array.isArray(body) ? body : findArray(body);
  if (list === null) return null;
  return list.filter(isObject).map((entry) => {
    const attempts = numberField(entry, ['recentAttempts', 'attempts']);
    const failures = numberField(entry, ['recentFailures', 'failures']);
    // `errorRate` is a 0–1 fraction in the gateway's health route; older shapes gave counts.
    const rate = numberField(entry, ['errorRate']);
    const errorRatePct = rate !== null ? rate * 100 : attempts !== null && attempts > 0 && failures !== null ? (failures / attempts) * 100 : null;
    return {
      key: joinKey(entry) || (stringField(entry, ['key', 'candidate', 'id', 'name']) ?? 'unknown'),
      tier: stringField(entry, ['tier']),
      state: stringField(entry, ['state', 'circuit', 'circuitState', 'status']),
      attempts,
      errorRatePct,
      consecutiveFailures: numberField(entry, ['consecutiveFailures']),
      latencyMs: numberField(entry, ['latencyMs', 'meanLatencyMs', 'p50LatencyMs']),
      lastFailureClass: stringField(entry, ['lastFailureClass', 'lastError']),
    };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function findArray(body: unknown): unknown[] | null {
  if (!isObject(body)) return null;
  for (const name of ['data', 'upstreams', 'candidates']) {
    const value = body[name];
    if (Array.isArray(value)) return value;
  }
  return null;
}

function stringField(entry: Record<string, unknown>, names: string[]): string | null {
  for (const name of names) if (typeof entry[name] === 'string') return entry[name] as string;
  return null;
}

function numberField(entry: Record<string, unknown>, names: string[]): number | null {
  for (const name of names) if (typeof entry[name] === 'number' && Number.isFinite(entry[name])) return entry[name] as number;
  return null;
}

function joinKey(entry: Record<string, unknown>): string {
  const provider = stringField(entry, ['provider', 'providerId']);
  const model = stringField(entry, ['model', 'modelId', 'upstreamModel']);
  return provider !== null && model !== null ? `${provider} / ${model}` : '';
}
