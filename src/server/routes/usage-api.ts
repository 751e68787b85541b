/**
 * The usage JSON API: `GET /api/usage` (cost and savings grouped by a dimension), `GET /api/requests`
 * (recent requests, newest first) and `GET /api/requests/:id` (one request's full record).
 *
 * Plain handlers `(request, response, url, deps)`; `usageApiRoutes(deps)` binds them into the app's route
 * tables. Money is in USD numbers, unknown costs are null. Bad query parameters answer 400 in OpenAI's error
 * shape with code `invalid_query` and `param` naming the parameter.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DEFAULT_REQUESTS_LIMIT, MAX_REQUESTS_LIMIT, parseSince } from '../../usage/report.js';
import {
  SUMMARY_DIMENSIONS,
  type RequestsQuery,
  type SummaryDimension,
  type UsageStore,
  type UsageStoreLogger,
} from '../../usage/store.js';

export interface UsageApiDeps {
  store: UsageStore;
  now: () => number;
  logger?: UsageStoreLogger;
}

/** A handler with the deps already bound, as the app's route table takes it. */
export type BoundRouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void>;

/** The window `GET /api/usage` covers when `since` is absent (`since=all` removes the bound). */
export const DEFAULT_USAGE_SINCE = '7d';
export const DEFAULT_USAGE_BY: SummaryDimension = 'mode';

class QueryError extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

function sendError(response: ServerResponse, status: number, message: string, type: string, code: string, param: string | null): void {
  send(response, status, { error: { message, type, code, param } });
}

/** Runs a handler body, turning query errors into 400s and store failures into 500s without details. */
async function guarded(response: ServerResponse, deps: UsageApiDeps, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    if (error instanceof QueryError) {
      sendError(response, 400, error.message, 'invalid_request_error', 'invalid_query', error.param);
      return;
    }
    deps.logger?.error({ err: error }, 'usage API query failed');
    if (!response.headersSent) sendError(response, 500, 'The usage store could not answer.', 'server_error', 'usage_store_error', null);
  }
}

/** A time parameter (`7d`, ISO time, epoch ms); undefined when absent or `all`. */
function timeParam(url: URL, name: string, now: number, fallback?: string): number | undefined {
  const text = url.searchParams.get(name) ?? fallback;
  if (text === undefined || text === '' || text.toLowerCase() === 'all') return undefined;
  const time = parseSince(text, now);
  if (time === null) {
    throw new QueryError(name, `Invalid ${name}: "${text}". Use a duration such as 30m, 24h or 7d, an ISO date or time, or epoch milliseconds.`);
  }
  return time;
}

function isoOrNull(time: number | undefined): string | null {
  return time === undefined ? null : new Date(time).toISOString();
}

/** `GET /api/usage?since=&until=&by=`: rows grouped by `by` (default mode) plus a total row. */
export function handleUsageSummary(_request: IncomingMessage, response: ServerResponse, url: URL, deps: UsageApiDeps): Promise<void> {
  return guarded(response, deps, async () => {
    const now = deps.now();
    const since = timeParam(url, 'since', now, DEFAULT_USAGE_SINCE);
    const until = timeParam(url, 'until', now);
    const byText = url.searchParams.get('by') ?? DEFAULT_USAGE_BY;
    const by = SUMMARY_DIMENSIONS.find((dimension) => dimension === byText.trim().toLowerCase());
    if (by === undefined) throw new QueryError('by', `Invalid by: "${byText}". Use one of ${SUMMARY_DIMENSIONS.join(', ')}.`);
    const range = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
    const [rows, totals] = await Promise.all([deps.store.summarize({ ...range, by }), deps.store.summarize({ ...range, by: 'total' })]);
    send(response, 200, { object: 'usage.summary', since: isoOrNull(since), until: isoOrNull(until), by, rows, total: totals[0] ?? null });
  });
}

function parseRequestsQuery(url: URL, now: number): RequestsQuery {
  const query: RequestsQuery = {};
  const limitText = url.searchParams.get('limit');
  if (limitText !== null) {
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_REQUESTS_LIMIT) {
      throw new QueryError('limit', `Invalid limit: "${limitText}". Use a whole number from 1 to ${MAX_REQUESTS_LIMIT}.`);
    }
    query.limit = limit;
  }
  const mode = url.searchParams.get('mode');
  if (mode !== null && mode.trim() !== '') query.mode = mode.trim().toLowerCase() === 'none' ? null : mode.trim().toLowerCase();
  const status = url.searchParams.get('status')?.trim().toLowerCase();
  if (status === 'ok' || status === 'error') query.status = status;
  else if (status !== undefined && status !== '') {
    if (!/^[1-5]\d\d$/.test(status)) throw new QueryError('status', `Invalid status: "${status}". Use ok, error or an HTTP status code.`);
    query.status = Number(status);
  }
  const before = timeParam(url, 'before', now);
  if (before !== undefined) query.before = before;
  const since = timeParam(url, 'since', now);
  if (since !== undefined) query.since = since;
  return query;
}

/**
 * `GET /api/requests?limit=&mode=&status=&before=&since=`: newest first. `mode=none` lists requests
 * without a mode; `status` is ok, error or a status code. `next_before` is the cursor for the next page.
 */
export function handleRequestsList(_request: IncomingMessage, response: ServerResponse, url: URL, deps: UsageApiDeps): Promise<void> {
  return guarded(response, deps, async () => {
    const query = parseRequestsQuery(url, deps.now());
    const data = await deps.store.listRequests(query);
    const last = data[data.length - 1];
    const full = data.length === (query.limit ?? DEFAULT_REQUESTS_LIMIT);
    send(response, 200, { object: 'list', data, next_before: full && last !== undefined ? last.time : null });
  });
}

export const REQUESTS_PATH_PREFIX = '/api/requests/';

/** `GET /api/requests/:id`: one request's record, or 404. */
export function handleRequestDetail(_request: IncomingMessage, response: ServerResponse, url: URL, deps: UsageApiDeps): Promise<void> {
  return guarded(response, deps, async () => {
    const segment = url.pathname.slice(REQUESTS_PATH_PREFIX.length);
    if (segment === '' || segment.includes('/')) throw new QueryError('id', 'Give one request id: /api/requests/<id>.');
    let id: string;
    try {
      id = decodeURIComponent(segment);
    } catch {
      throw new QueryError('id', 'Invalid percent-encoding in the request id.');
    }
    const record = await deps.store.getRequest(id);
    if (record === null) {
      sendError(response, 404, `No request with id "${id}" in the usage store.`, 'invalid_request_error', 'request_not_found', 'id');
      return;
    }
    send(response, 200, record);
  });
}

/** The handlers bound to `deps`, shaped for `createApp`'s `extraRoutes` and `prefixRoutes`. */
export function usageApiRoutes(deps: UsageApiDeps): {
  extraRoutes: Record<string, BoundRouteHandler>;
  prefixRoutes: Array<{ method: string; prefix: string; handler: BoundRouteHandler }>;
} {
  return {
    extraRoutes: {
      'GET /api/usage': (request, response, url) => handleUsageSummary(request, response, url, deps),
      'GET /api/requests': (request, response, url) => handleRequestsList(request, response, url, deps),
    },
    prefixRoutes: [
      { method: 'GET', prefix: REQUESTS_PATH_PREFIX, handler: (request, response, url) => handleRequestDetail(request, response, url, deps) },
    ],
  };
}
