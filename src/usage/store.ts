/**
 * The durable usage store: one row per answered request, written with group commit, read by reports.
 *
 * Two backends share this interface, the schema (`./migrations/`) and the query shapes below:
 * SQLite (`./sqlite-store.ts`, the default, at `./automodel.db`) and PostgreSQL (`./postgres-store.ts`,
 * when a `postgres://` URL is given). `openUsageStore()` picks one and loads only that backend's driver.
 *
 * Durability contract: `record()` resolves only after the transaction holding the record has committed,
 * so a pipeline that awaits it before writing the response's last byte never loses a completed request
 * to a `kill -9`. Records queued in the same event-loop turn share one transaction (see `BatchWriter`).
 */
import { decodeRecord, encodeRecord } from './record-data.js';
import type { UsageRecord } from './types.js';

/** Dimensions a summary can group by. `total` returns a single row (key `"total"`) over the whole range. */
export type SummaryDimension = 'mode' | 'model' | 'tier' | 'client' | 'day' | 'session' | 'provider' | 'total';

/** Every dimension `summarize()` accepts, for validating user input. */
export const SUMMARY_DIMENSIONS: readonly SummaryDimension[] = ['mode', 'model', 'tier', 'client', 'day', 'session', 'provider', 'total'];

/** A time range; both bounds are epoch milliseconds; `since` inclusive, `until` exclusive. */
export interface UsageQuery {
  since?: number;
  until?: number;
  by: SummaryDimension;
}

/**
 * One group of a summary. Token and money sums cover the rows where the value is known; a sum over no
 * known values is `null`, never 0. Money is in USD, rounded to micro-dollars to drop float noise.
 */
export interface UsageSummaryRow {
  /** The group's value (mode slug, served model id, `YYYY-MM-DD` in UTC…); null for "not set". */
  key: string | null;
  requests: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  costUsd: number | null;
  baselineCostUsd: number | null;
  /** Baseline minus cost, over the rows where both are known. */
  savingsUsd: number | null;
  /** `savingsUsd` as a percentage of the baseline of those same rows (0–100, may be negative). */
  savingsPct: number | null;
  /** Requests with an HTTP status >= 400 or an error code (streams that failed after their 200). */
  errors: number;
  /** Requests whose cost is unknown (not counted in `costUsd`). */
  unpricedRequests: number;
}

/** Filters for the recent-requests list, newest first. */
export interface RequestsQuery {
  /** 1–1000; default 50. */
  limit?: number;
  /** Exact mode slug; `null` selects requests with no mode. */
  mode?: string | null;
  /** An HTTP status, or `ok` (status < 400 and no error code) / `error` (the rest). */
  status?: number | 'ok' | 'error';
  /** Only records strictly older than this epoch-ms time (a paging cursor). */
  before?: number;
  since?: number;
}

/** Receives problems the store cannot report through a promise (pino's signature works). */
export interface UsageStoreLogger {
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}

/** The store's interface; both backends implement exactly this. */
export interface UsageStore {
  readonly backend: 'sqlite' | 'postgres';
  /**
   * Queue a record; resolves when it is durable (committed). Every record queued in the same event-loop
   * turn goes into one transaction on `setImmediate`, so the request path pays almost nothing. Rejects
   * only if this record could not be written (a bad record never fails the rest of its batch).
   */
  record(record: UsageRecord): Promise<void>;
  /** Aggregates for reports, grouped by one dimension. */
  summarize(query: UsageQuery): Promise<UsageSummaryRow[]>;
  /** Recent requests, newest first. */
  listRequests(query: RequestsQuery): Promise<UsageRecord[]>;
  getRequest(id: string): Promise<UsageRecord | null>;
  /** Delete records whose `time` is before `cutoffTime` (epoch ms); returns how many were deleted. */
  prune(cutoffTime: number): Promise<number>;
  /** Resolves once every record queued so far is committed. */
  flush(): Promise<void>;
  /** Flush, then release the database. Further `record()` calls reject. */
  close(): Promise<void>;
}

/** How to open a store. `databaseUrl` (postgres://…) selects PostgreSQL; otherwise SQLite. */
export interface UsageStoreOptions {
  databaseUrl?: string;
  /** SQLite file; `:memory:` for tests. Default `./automodel.db`. */
  sqlitePath?: string;
  /** PostgreSQL schema to use (created if missing); default the server's `search_path`. */
  schema?: string;
  logger?: UsageStoreLogger;
  /** Called after each committed batch (for metrics and tests). */
  onBatchCommitted?: (records: number, durationMs: number) => void;
}

export const DEFAULT_SQLITE_PATH = './automodel.db';
export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/**
 * Store options from the environment: `DATABASE_URL` selects PostgreSQL, `AUTOMODEL_DB` the SQLite path.
 * An explicit `database` (a path or a postgres:// URL, e.g. from `--db`) wins over both.
 */
export function storeOptionsFromEnv(env: Record<string, string | undefined>, database?: string): UsageStoreOptions {
  if (database !== undefined && database !== '') {
    return isPostgresUrl(database) ? { databaseUrl: database } : { sqlitePath: database };
  }
  if (env.DATABASE_URL) return { databaseUrl: env.DATABASE_URL };
  return { sqlitePath: env.AUTOMODEL_DB || DEFAULT_SQLITE_PATH };
}

export function isPostgresUrl(text: string): boolean {
  return /^postgres(ql)?:\/\//i.test(text);
}

/** Open (and migrate) the store the options select. Only the chosen backend's driver is loaded. */
export async function openUsageStore(options: UsageStoreOptions = {}): Promise<UsageStore> {
  if (options.databaseUrl) {
    const { openPostgresUsageStore } = await import('./postgres-store.js');
    return openPostgresUsageStore({ ...options, databaseUrl: options.databaseUrl });
  }
  const { openSqliteUsageStore } = await import('./sqlite-store.js');
  return openSqliteUsageStore({ ...options, sqlitePath: options.sqlitePath ?? DEFAULT_SQLITE_PATH });
}

/** The cutoff `prune()` takes for a retention window of `days` ending at `now`. */
export function retentionCutoff(now: number, days: number = DEFAULT_RETENTION_DAYS): number {
  return now - days * DAY_MS;
}

/**
 * Prune once now and then every `intervalMs` (default hourly). The timer is unref'd, so it never keeps
 * the process alive. Returns a function that stops it.
 */
export function scheduleRetention(
  store: Pick<UsageStore, 'prune'>,
  options: { days?: number; now?: () => number; intervalMs?: number; logger?: UsageStoreLogger } = {},
): () => void {
  const now = options.now ?? Date.now;
  const run = (): void => {
    store.prune(retentionCutoff(now(), options.days)).catch((error: unknown) => {
      options.logger?.error({ err: error }, 'usage retention prune failed');
    });
  };
  run();
  const timer = setInterval(run, options.intervalMs ?? 3_600_000);
  timer.unref();
  return () => clearInterval(timer);
}

interface PendingRecord {
  record: UsageRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit. `enqueue()` parks a record and schedules one write on `setImmediate`; everything queued
 * before it runs goes into the same transaction. While a write is in flight (PostgreSQL), new records
 * gather for the next one, so batches grow with load instead of queueing transactions.
 * If a batch fails, its records are retried one by one so a single bad record rejects alone.
 */
export class BatchWriter {
  #pending: PendingRecord[] = [];
  #scheduled = false;
  #inFlight: Promise<void> | null = null;
  #closed = false;
  readonly #commit: (records: UsageRecord[]) => Promise<void> | void;
  readonly #onBatchCommitted: ((records: number, durationMs: number) => void) | undefined;
  readonly #logger: UsageStoreLogger | undefined;

  constructor(
    commit: (records: UsageRecord[]) => Promise<void> | void,
    options: Pick<UsageStoreOptions, 'onBatchCommitted' | 'logger'> = {},
  ) {
    this.#commit = commit;
    this.#onBatchCommitted = options.onBatchCommitted;
    this.#logger = options.logger;
  }

  enqueue(record: UsageRecord): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('usage store is closed'));
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ record, resolve, reject });
      this.#schedule();
    });
  }

  /** Resolves when everything queued before the call (and anything queued meanwhile) is committed. */
  async flush(): Promise<void> {
    while (this.#inFlight !== null || this.#pending.length > 0) {
      if (this.#inFlight !== null) await this.#inFlight;
      else await this.#run();
    }
  }

  /** Stop accepting records and flush the queue. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight !== null) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      if (this.#inFlight === null) void this.#run();
    });
  }

  #run(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return Promise.resolve();
    const write = this.#write(batch).finally(() => {
      this.#inFlight = null;
      if (this.#pending.length > 0) this.#schedule();
    });
    this.#inFlight = write;
    return write;
  }

  async #write(batch: PendingRecord[]): Promise<void> {
    const started = performance.now();
    try {
      await this.#commit(batch.map((pending) => pending.record));
      this.#onBatchCommitted?.(batch.length, performance.now() - started);
      for (const pending of batch) pending.resolve();
      return;
    } catch (error) {
      if (batch.length === 1) {
        this.#logger?.error({ err: error, requestId: batch[0]?.record.id }, 'usage record could not be stored');
        batch[0]?.reject(error);
        return;
      }
      this.#logger?.warn({ err: error, records: batch.length }, 'usage batch failed; retrying records one by one');
    }
    for (const pending of batch) {
      try {
        await this.#commit([pending.record]);
        this.#onBatchCommitted?.(1, 0);
        pending.resolve();
      } catch (error) {
        this.#logger?.error({ err: error, requestId: pending.record.id }, 'usage record could not be stored');
        pending.reject(error);
      }
    }
  }
}

/**
 * The table's columns in insert order; `recordToRow()` returns values in this order. The columns are what reports filter,
 * group and sum on; `data` holds the whole record (`record-data.ts`), which is what the requests list and lookups read.
 */
export const USAGE_COLUMNS = [
  'id', 'time', 'mode', 'tier', 'served_model', 'provider', 'client_name', 'session_id', 'status', 'error_code',
  'input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'cost_usd',
  'baseline_cost_usd', 'data',
] as const;

/** A record as column values, in `USAGE_COLUMNS` order: what both backends insert. */
export type UsageRow = Array<string | number | null>;

/** A record as column values; `data` is its encoding, when the caller has it already (the journal line). */
export function recordToRow(record: UsageRecord, data: string = encodeRecord(record)): UsageRow {
  return [
    record.id, record.time, record.mode, record.tier, record.servedModel, record.provider, record.clientName,
    record.sessionId, record.status, record.errorCode, record.inputTokens, record.outputTokens, record.cacheReadTokens,
    record.cacheWriteTokens, record.reasoningTokens, record.costUsd, record.baselineCostUsd, data,
  ];
}

/** A row as either backend returns it (at least its `data` column) → the record. */
export function rowToRecord(row: Record<string, unknown>): UsageRecord {
  return decodeRecord(JSON.parse(String(row.data)));
}

export function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}
