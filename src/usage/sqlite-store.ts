/**
 * The SQLite usage store (better-sqlite3): the default backend.
 *
 * WAL with `synchronous=NORMAL`: a commit is a write into the WAL file, with no fsync per transaction, so
 * a committed record survives the process being killed (the OS holds the page); only a power loss or OS
 * crash may drop the last transactions. Batches are written in one transaction with a prepared
 * multi-row statement, so a commit costs one WAL append whatever its size.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UsageJournal } from './journal.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations/index.js';
import { buildRequestsQuery, buildSummaryQuery, SQLITE_DIALECT, toSummaryRow } from './report.js';
import {
  BatchWriter,
  recordToRow,
  rowToRecord,
  USAGE_COLUMNS,
  type RequestsQuery,
  type UsageQuery,
  type UsageRow,
  type UsageStore,
  type UsageStoreOptions,
  type UsageSummaryRow,
} from './store.js';
import type { UsageRecord } from './types.js';

/** Rows per INSERT statement: 18 columns x 32 rows stays well under SQLite's parameter limit. */
const ROWS_PER_STATEMENT = 32;

type Statement = Database.Statement<unknown[], unknown>;

/**
 * Bring the schema to the latest version; each migration and its `user_version` bump commit together. The version is
 * read inside each migration's write transaction, not once before: two processes opening a new database at once would
 * otherwise both read the old version, and the second would run the first's migrations again.
 */
export function migrateSqlite(database: Database.Database): number {
  let version = Number(database.pragma('user_version', { simple: true }));
  if (version >= LATEST_SCHEMA_VERSION) return version;
  for (const migration of MIGRATIONS) {
    database.transaction(() => {
      version = Number(database.pragma('user_version', { simple: true }));
      if (migration.version <= version) return;
      database.exec(migration.sqlite);
      database.pragma(`user_version = ${migration.version}`);
      version = migration.version;
    }).immediate();
  }
  return version;
}

/** Open (creating and migrating if needed) the SQLite store at `options.sqlitePath`. */
export async function openSqliteUsageStore(options: UsageStoreOptions & { sqlitePath: string }): Promise<UsageStore> {
  const path = options.sqlitePath;
  if (path !== ':memory:' && path !== '') mkdirSync(dirname(path), { recursive: true });
  const database = new Database(path);
  try {
    // 16 KB pages for a new file (an existing one keeps its size). A batch of records fills whole pages, and the WAL is
    // written a page at a time with a separate pwrite for each frame: strace of the 40 KB Anthropic bench row counted
    // 0.64-0.99 pwrite a request with 4 KB pages, 0.29 with 16 KB. Set before WAL mode, after which the page size of a
    // database can no longer change.
    database.pragma('page_size = 16384');
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // Statement journals and temporary b-trees in memory: on disk, every batched multi-row insert wrote a ~60 KB temp
    // file (three extra syscalls a request, found with strace).
    database.pragma('temp_store = MEMORY');
    // SQLite's own default page cache (2 MB) instead of the 16 MB better-sqlite3 compiles in: inserts touch only the
    // right edge of the table and its time index, and reports read through the OS page cache. With 16 MB the cache
    // filled as the table grew and the gateway's resident memory grew with it (+10 MB after 12k requests).
    database.pragma('cache_size = -2000');
    // Several gateway processes (or the CLI next to a running gateway) may share the file.
    database.pragma('busy_timeout = 5000');
    migrateSqlite(database);
  } catch (error) {
    database.close();
    throw error;
  }
  const journal = path === ':memory:' || path === '' ? null : UsageJournal.open(path);
  return new SqliteUsageStore(database, options, journal);
}

/**
 * Records are moved from the journal into SQLite when this many wait, or after this long. Small enough that a waiting
 * row dies young: at 512, every row outlived two scavenges and was promoted, and the old generation grew by 1.5 KB a
 * request (46 MB of heap after 24k requests at 64 concurrent, against 25 MB at 64). A commit costs ~50 µs, under 1 µs a
 * record at this size.
 */
const JOURNAL_BATCH_RECORDS = 64;
const JOURNAL_FLUSH_MS = 200;

/** The `record()` calls of one event-loop turn, settled together once their journal lines are written. */
interface StagedTurn {
  promise: Promise<void>;
  resolve: () => void;
  reject: (error: unknown) => void;
}

class SqliteUsageStore implements UsageStore {
  readonly backend = 'sqlite' as const;
  readonly #database: Database.Database;
  readonly #writer: BatchWriter;
  readonly #insertStatements = new Map<number, Statement>();
  readonly #getStatement: Statement;
  readonly #insertBatch: (rows: UsageRow[]) => void;
  readonly #journal: UsageJournal | null;
  readonly #options: UsageStoreOptions;
  #journaled: UsageRow[] = [];
  /** Settles the `record()` calls whose lines are staged in the journal, once they are written. */
  #staged: StagedTurn | null = null;
  #timer: NodeJS.Timeout | null = null;
  #journalFailed = false;
  #closed = false;

  constructor(database: Database.Database, options: UsageStoreOptions, journal: UsageJournal | null) {
    this.#journal = journal;
    this.#options = options;
    this.#database = database;
    this.#getStatement = database.prepare('SELECT data FROM usage_records WHERE id = ?');
    this.#insertBatch = database.transaction((rows: UsageRow[]) => {
      for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
        const end = Math.min(rows.length, start + ROWS_PER_STATEMENT);
        const values: unknown[] = [];
        for (let index = start; index < end; index++) {
          const row = rows[index]!;
          for (let column = 0; column < row.length; column++) values.push(row[column]);
        }
        // Spread, not an array: better-sqlite3 binds arguments straight from the call, but reads an array element by
        // element through V8's property lookup (15% of the insert, measured).
        this.#insertStatement(end - start).run(...values);
      }
    });
    this.#writer = new BatchWriter((records) => this.#insertBatch(records.map((record) => recordToRow(record))), options);
    if (journal) {
      const left = journal.replay();
      if (left.length > 0) {
        for (let start = 0; start < left.length; start += JOURNAL_BATCH_RECORDS) this.#insertBatch(left.slice(start, start + JOURNAL_BATCH_RECORDS));
        options.logger?.warn({ records: left.length }, 'usage journal replayed: records of an unclean stop were stored');
      }
      journal.truncate(true);
    }
  }

  /** Moves journaled records into SQLite in one transaction, then empties the journal. Synchronous, so nothing is appended meanwhile. */
  #drainJournal(): void {
    if (this.#timer) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#journaled.length === 0) return;
    // Lines staged this turn go out first, so their records are durable by the journal too should the insert fail.
    this.#writeStaged();
    if (this.#journaled.length === 0) return;
    const batch = this.#journaled;
    const started = performance.now();
    try {
      this.#insertBatch(batch);
    } catch (error) {
      // Still in the journal: try again later (e.g. the database is locked by another process).
      this.#options.logger?.error({ err: error }, 'usage batch insert failed; records stay in the journal');
      this.#scheduleDrain();
      return;
    }
    this.#journaled = [];
    this.#journal!.truncate();
    this.#options.onBatchCommitted?.(batch.length, performance.now() - started);
  }

  #scheduleDrain(): void {
    if (this.#timer) return;
    this.#timer = setTimeout(() => this.#drainJournal(), JOURNAL_FLUSH_MS);
    this.#timer.unref();
  }

  /** Prepared once per row count (1…32), so steady traffic reuses a handful of statements. */
  #insertStatement(rows: number): Statement {
    let statement = this.#insertStatements.get(rows);
    if (statement === undefined) {
      const tuple = `(${USAGE_COLUMNS.map(() => '?').join(', ')})`;
      statement = this.#database.prepare(
        `INSERT INTO usage_records (${USAGE_COLUMNS.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}` +
          ' ON CONFLICT (id) DO NOTHING',
      );
      this.#insertStatements.set(rows, statement);
    }
    return statement;
  }

  record(record: UsageRecord): Promise<void> {
    if (!this.#journal || this.#journalFailed || this.#closed) return this.#writer.enqueue(record);
    this.#journaled.push(this.#journal.stage(record));
    const staged = this.#staged ?? this.#openTurn();
    // A full batch is drained at once, synchronously (its staged lines written first): memory stays bounded even for a
    // caller that queues records without yielding.
    if (this.#journaled.length >= JOURNAL_BATCH_RECORDS) this.#drainJournal();
    return staged.promise;
  }

  /**
   * The lines of every record that finishes in this turn of the event loop are written together after its I/O callbacks:
   * at 64 concurrent requests several finish in a turn, and each write(2) cost ~15 µs of CPU here.
   */
  #openTurn(): StagedTurn {
    let resolve!: () => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<void>((onResolve, onReject) => {
      resolve = onResolve;
      reject = onReject;
    });
    this.#staged = { promise, resolve, reject };
    setImmediate(this.#afterTurn);
    return this.#staged;
  }

  /** After the turn's I/O: the staged lines are written; records not yet in SQLite go in with the next batch. */
  readonly #afterTurn = (): void => {
    this.#writeStaged();
    if (this.#journaled.length > 0) this.#scheduleDrain();
  };

  /** Writes the staged journal lines and settles the `record()` calls waiting for them. */
  #writeStaged(): void {
    const staged = this.#staged;
    if (staged === null) return;
    this.#staged = null;
    try {
      this.#journal!.writeStaged();
      staged.resolve();
      return;
    } catch (error) {
      // The journal cannot be written (disk full, say), and a partial line may be left in it: from now on records are
      // committed to SQLite in batches, as without a journal, and those waiting are committed now.
      this.#options.logger?.error({ err: error }, 'usage journal write failed; records are committed to SQLite directly from now on');
      this.#journalFailed = true;
    }
    try {
      this.#insertBatch(this.#journaled);
      this.#journaled = [];
      staged.resolve();
    } catch (error) {
      staged.reject(error);
    }
  }

  async summarize(query: UsageQuery): Promise<UsageSummaryRow[]> {
    this.#drainJournal();
    const built = buildSummaryQuery(SQLITE_DIALECT, query);
    const rows = this.#database.prepare(built.sql).all(built.params) as Array<Record<string, unknown>>;
    return rows.map(toSummaryRow);
  }

  async listRequests(query: RequestsQuery): Promise<UsageRecord[]> {
    this.#drainJournal();
    const built = buildRequestsQuery(SQLITE_DIALECT, ['data'], query);
    const rows = this.#database.prepare(built.sql).all(built.params) as Array<Record<string, unknown>>;
    return rows.map(rowToRecord);
  }

  async getRequest(id: string): Promise<UsageRecord | null> {
    this.#drainJournal();
    const row = this.#getStatement.get(id) as Record<string, unknown> | undefined;
    return row === undefined ? null : rowToRecord(row);
  }

  async prune(cutoffTime: number): Promise<number> {
    this.#drainJournal();
    return this.#database.prepare('DELETE FROM usage_records WHERE time < ?').run(cutoffTime).changes;
  }

  flush(): Promise<void> {
    this.#drainJournal();
    return this.#writer.flush();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#drainJournal();
    this.#closed = true;
    await this.#writer.close();
    if (this.#journal && this.#journaled.length === 0) this.#journal.close();
    this.#database.close();
  }
}
