/**
 * The PostgreSQL usage store (`pg`), selected by `DATABASE_URL=postgres://…` for scale-out: any number of
 * gateway instances write to one database. Same schema and queries as SQLite; each batch is one multi-row
 * INSERT (one round trip, one commit). Migrations are tracked in `automodel_migrations` and serialised
 * across instances with a transaction-scoped advisory lock.
 */
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import { buildRequestsQuery, buildSummaryQuery, POSTGRES_DIALECT, toSummaryRow } from './report.js';
import {
  BatchWriter,
  recordToRow,
  rowToRecord,
  USAGE_COLUMNS,
  type RequestsQuery,
  type UsageQuery,
  type UsageStore,
  type UsageStoreOptions,
  type UsageSummaryRow,
} from './store.js';
import type { UsageRecord } from './types.js';

/** PostgreSQL allows 65,535 parameters per statement; 18 columns x 1,000 rows stays below. */
const ROWS_PER_STATEMENT = 1000;
/** Arbitrary constant naming our advisory lock ("automodel" in ASCII, truncated to fit an int4). */
const MIGRATION_LOCK_ID = 0x6175746f;

/** Quote an identifier (schema name) for SQL. */
function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Bring the schema to the latest version (creating `schema` first if given); safe to run from several
 * instances at once: the advisory lock makes them take turns, and the later ones find nothing to do.
 */
export async function migratePostgres(client: pg.ClientBase, schema?: string): Promise<number> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_ID]);
    if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(schema)}`);
    await client.query(
      'CREATE TABLE IF NOT EXISTS automodel_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const applied = await client.query<{ version: number }>('SELECT version FROM automodel_migrations');
    const done = new Set(applied.rows.map((row) => Number(row.version)));
    let version = Math.max(0, ...done);
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.postgres);
      await client.query('INSERT INTO automodel_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        Date.now(),
      ]);
      version = migration.version;
    }
    await client.query('COMMIT');
    return version;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Open (and migrate) the PostgreSQL store at `options.databaseUrl`, in `options.schema` if given. */
export async function openPostgresUsageStore(options: UsageStoreOptions & { databaseUrl: string }): Promise<UsageStore> {
  const pool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 4,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${quoteIdentifier(options.schema)}` }),
  });
  // An idle client losing its connection must not crash the gateway; the next query reconnects.
  pool.on('error', (error) => options.logger?.warn({ err: error }, 'usage database connection error'));
  try {
    const client = await pool.connect();
    try {
      await migratePostgres(client, options.schema);
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot open the PostgreSQL usage store: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return new PostgresUsageStore(pool, options);
}

class PostgresUsageStore implements UsageStore {
  readonly backend = 'postgres' as const;
  readonly #pool: pg.Pool;
  readonly #writer: BatchWriter;
  #closed = false;

  constructor(pool: pg.Pool, options: UsageStoreOptions) {
    this.#pool = pool;
    this.#writer = new BatchWriter((records) => this.#insertBatch(records), options);
  }

  async #insertBatch(records: UsageRecord[]): Promise<void> {
    if (records.length <= ROWS_PER_STATEMENT) {
      await this.#pool.query(insertStatement(records.length), records.flatMap((record) => recordToRow(record)));
      return;
    }
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      for (let start = 0; start < records.length; start += ROWS_PER_STATEMENT) {
        const chunk = records.slice(start, start + ROWS_PER_STATEMENT);
        await client.query(insertStatement(chunk.length), chunk.flatMap((record) => recordToRow(record)));
      }
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  record(record: UsageRecord): Promise<void> {
    return this.#writer.enqueue(record);
  }

  async summarize(query: UsageQuery): Promise<UsageSummaryRow[]> {
    const built = buildSummaryQuery(POSTGRES_DIALECT, query);
    const result = await this.#pool.query<Record<string, unknown>>(built.sql, built.params);
    return result.rows.map(toSummaryRow);
  }

  async listRequests(query: RequestsQuery): Promise<UsageRecord[]> {
    const built = buildRequestsQuery(POSTGRES_DIALECT, ['data'], query);
    const result = await this.#pool.query<Record<string, unknown>>(built.sql, built.params);
    return result.rows.map(rowToRecord);
  }

  async getRequest(id: string): Promise<UsageRecord | null> {
    const result = await this.#pool.query<Record<string, unknown>>(
      'SELECT data FROM usage_records WHERE id = $1',
      [id],
    );
    const row = result.rows[0];
    return row === undefined ? null : rowToRecord(row);
  }

  async prune(cutoffTime: number): Promise<number> {
    const result = await this.#pool.query('DELETE FROM usage_records WHERE time < $1', [cutoffTime]);
    return result.rowCount ?? 0;
  }

  flush(): Promise<void> {
    return this.#writer.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#writer.close();
    await this.#pool.end();
  }
}

const insertStatements = new Map<number, string>();

/** `INSERT … VALUES ($1…$30), ($31…$60), …` for `rows` rows, cached by row count. */
function insertStatement(rows: number): string {
  let sql = insertStatements.get(rows);
  if (sql === undefined) {
    const width = USAGE_COLUMNS.length;
    const tuples = Array.from(
      { length: rows },
      (_, row) => `(${USAGE_COLUMNS.map((_column, column) => `$${row * width + column + 1}`).join(', ')})`,
    );
    sql = `INSERT INTO usage_records (${USAGE_COLUMNS.join(', ')}) VALUES ${tuples.join(', ')} ON CONFLICT (id) DO NOTHING`;
    // Bursts produce many sizes; keep the cache bounded.
    if (insertStatements.size < 256) insertStatements.set(rows, sql);
  }
  return sql;
}
