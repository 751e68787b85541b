/**
 * Reports over the usage store: time-range parsing for `since=7d`-style input, and the SQL both backends
 * run for summaries and the requests list. Everything here is pure; the backends execute what it builds,
 * so SQLite and PostgreSQL answer the same question the same way.
 */
import { numberOrNull, type RequestsQuery, type SummaryDimension, type UsageQuery, type UsageSummaryRow } from './store.js';

const UNIT_MS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time bound from user text, as epoch ms: a duration before `now` (`30m`, `24h`, `7d`, `2w`, `90s`,
 * decimals allowed), an ISO date or time (`2026-11-01`, `2026-11-01T12:00:00Z`; a date alone is UTC
 * midnight), epoch milliseconds, or `now`. Returns null for anything else.
 */
export function parseSince(text: string, now: number): number | null {
  const trimmed = text.trim().toLowerCase();
  if (trimmed === 'now') return now;
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/.exec(trimmed);
  if (duration) return now - Math.round(Number(duration[1]) * (UNIT_MS[duration[2] ?? ''] ?? 0));
  if (/^\d{10,}$/.test(trimmed)) return Number(trimmed);
  if (/^\d{4}-\d{2}-\d{2}([t ][\d:.]+(z|[+-]\d{2}:?\d{2})?)?$/.test(trimmed)) {
    const parsed = Date.parse(trimmed.toUpperCase().replace(' ', 'T'));
    return Number.isNaN(parsed) ? null : parsed;
  }
  return null;
}

/** The SQL differences between the backends that reports care about. */
export interface SqlDialect {
  /** Placeholder for the 1-based parameter `index`: `?` (SQLite) or `$n` (PostgreSQL). */
  placeholder(index: number): string;
  /** Expression giving the UTC day (`YYYY-MM-DD`) of the epoch-ms column `time`. */
  readonly dayExpression: string;
}

export const SQLITE_DIALECT: SqlDialect = {
  placeholder: () => '?',
  dayExpression: "strftime('%Y-%m-%d', time / 1000, 'unixepoch')",
};

export const POSTGRES_DIALECT: SqlDialect = {
  placeholder: (index) => `$${index}`,
  dayExpression: "to_char(to_timestamp(time / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')",
};

/** A statement and its parameters, ready for either driver. */
export interface BuiltQuery {
  sql: string;
  params: Array<string | number>;
}

const KEY_COLUMNS: Record<Exclude<SummaryDimension, 'day' | 'total'>, string> = {
  mode: 'mode',
  model: 'served_model',
  tier: 'tier',
  client: 'client_name',
  session: 'session_id',
  provider: 'provider',
};

const ERROR_CONDITION = '(status >= 400 OR error_code IS NOT NULL)';
const BOTH_COSTS_KNOWN = 'cost_usd IS NOT NULL AND baseline_cost_usd IS NOT NULL';

class WhereBuilder {
  readonly conditions: string[] = [];
  readonly params: Array<string | number> = [];
  constructor(private readonly dialect: SqlDialect) {}

  add(condition: (placeholder: string) => string, value: string | number): void {
    this.params.push(value);
    this.conditions.push(condition(this.dialect.placeholder(this.params.length)));
  }

  render(): string {
    return this.conditions.length === 0 ? '' : ` WHERE ${this.conditions.join(' AND ')}`;
  }
}

/** Summary SQL: one row per group with counts and sums; `by: 'total'` always yields exactly one row. */
export function buildSummaryQuery(dialect: SqlDialect, query: UsageQuery): BuiltQuery {
  const where = new WhereBuilder(dialect);
  if (query.since !== undefined) where.add((p) => `time >= ${p}`, query.since);
  if (query.until !== undefined) where.add((p) => `time < ${p}`, query.until);
  const key = query.by === 'total' ? "'total'" : query.by === 'day' ? dialect.dayExpression : KEY_COLUMNS[query.by];
  const sql =
    `SELECT ${key} AS key, COUNT(*) AS requests,` +
    ' SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,' +
    ' SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens,' +
    ' SUM(reasoning_tokens) AS reasoning_tokens,' +
    ' SUM(cost_usd) AS cost_usd, SUM(baseline_cost_usd) AS baseline_cost_usd,' +
    ` SUM(CASE WHEN ${BOTH_COSTS_KNOWN} THEN baseline_cost_usd - cost_usd END) AS savings_usd,` +
    ` SUM(CASE WHEN ${BOTH_COSTS_KNOWN} THEN baseline_cost_usd END) AS comparable_baseline_usd,` +
    ` SUM(CASE WHEN ${ERROR_CONDITION} THEN 1 ELSE 0 END) AS errors,` +
    ' SUM(CASE WHEN cost_usd IS NULL THEN 1 ELSE 0 END) AS unpriced_requests' +
    ` FROM usage_records${where.render()}`;
  if (query.by === 'total') return { sql, params: where.params };
  // Busiest groups first; "not set" (NULL) last in both backends (SQLite sorts NULL first, PostgreSQL last).
  const order = query.by === 'day' ? '1 ASC' : `2 DESC, ${key} IS NULL, 1 ASC`;
  return { sql: `${sql} GROUP BY 1 ORDER BY ${order}`, params: where.params };
}

/** Default and ceiling for `RequestsQuery.limit`. */
export const DEFAULT_REQUESTS_LIMIT = 50;
export const MAX_REQUESTS_LIMIT = 1000;

/** Requests-list SQL, newest first. */
export function buildRequestsQuery(dialect: SqlDialect, columns: readonly string[], query: RequestsQuery): BuiltQuery {
  const where = new WhereBuilder(dialect);
  if (query.mode === null) where.conditions.push('mode IS NULL');
  else if (query.mode !== undefined) where.add((p) => `mode = ${p}`, query.mode);
  if (query.status === 'error') where.conditions.push(ERROR_CONDITION);
  else if (query.status === 'ok') where.conditions.push(`NOT ${ERROR_CONDITION}`);
  else if (query.status !== undefined) where.add((p) => `status = ${p}`, query.status);
  if (query.before !== undefined) where.add((p) => `time < ${p}`, query.before);
  if (query.since !== undefined) where.add((p) => `time >= ${p}`, query.since);
  const limit = Math.min(Math.max(Math.trunc(query.limit ?? DEFAULT_REQUESTS_LIMIT), 1), MAX_REQUESTS_LIMIT);
  where.params.push(limit);
  const sql =
    `SELECT ${columns.join(', ')} FROM usage_records${where.render()}` +
    ` ORDER BY time DESC, id DESC LIMIT ${dialect.placeholder(where.params.length)}`;
  return { sql, params: where.params };
}

/** Rounds USD to micro-dollars: sums of floats carry noise like 0.30000000000000004. */
export function roundUsd(value: number | null): number | null {
  return value === null ? null : Math.round(value * 1e6) / 1e6;
}

/** A summary row as the driver returned it (counts may be text from PostgreSQL) → `UsageSummaryRow`. */
export function toSummaryRow(row: Record<string, unknown>): UsageSummaryRow {
  const savings = numberOrNull(row.savings_usd);
  const comparableBaseline = numberOrNull(row.comparable_baseline_usd);
  return {
    key: row.key === null || row.key === undefined ? null : String(row.key),
    requests: Number(row.requests),
    inputTokens: numberOrNull(row.input_tokens),
    outputTokens: numberOrNull(row.output_tokens),
    cacheReadTokens: numberOrNull(row.cache_read_tokens),
    cacheWriteTokens: numberOrNull(row.cache_write_tokens),
    reasoningTokens: numberOrNull(row.reasoning_tokens),
    costUsd: roundUsd(numberOrNull(row.cost_usd)),
    baselineCostUsd: roundUsd(numberOrNull(row.baseline_cost_usd)),
    savingsUsd: roundUsd(savings),
    savingsPct:
      savings === null || comparableBaseline === null || comparableBaseline === 0
        ? null
        : Math.round((savings / comparableBaseline) * 10_000) / 100,
    errors: Number(row.errors ?? 0),
    unpricedRequests: Number(row.unpriced_requests ?? 0),
  };
}
