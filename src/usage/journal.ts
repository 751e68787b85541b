/**
 * An append-only journal that makes a usage record durable in one `write(2)`: the kernel keeps the bytes when the process is
 * killed, so a record is safe as soon as `append` returns. The store then moves records from the journal into SQLite in
 * large batches, off the request path, and truncates the journal once they are committed. On start, whatever a crashed
 * process left in the journal is replayed (inserts are idempotent on the record id).
 *
 * Why: a SQLite commit per request costs 45-65 µs of CPU (every b-tree page it touches is written to the WAL), a third of
 * what a whole proxied request costs; a journal line costs about 2 µs, and batched inserts about 10 µs a record.
 *
 * One process owns a journal at a time: a lock file holds the owner's pid. A second process on the same database finds
 * the lock held by a live process and writes without a journal (commit per batch), which is correct, only slower.
 */
import { closeSync, ftruncateSync, openSync, readFileSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { recordToRow, USAGE_COLUMNS } from './store.js';
import type { UsageRecord } from './types.js';

/** A record as SQLite column values, in `USAGE_COLUMNS` order (booleans as 0/1): what a journal line holds. */
export type JournalRow = Array<string | number | null>;

/** The row of a record, as the journal writes it and SQLite inserts it. */
export function toJournalRow(record: UsageRecord): JournalRow {
  return recordToRow(record, (value) => (value ? 1 : 0)) as JournalRow;
}

/** Columns that hold JSON text; a journal line carries them as JSON values, not as strings of JSON. */
const JSON_COLUMNS = [USAGE_COLUMNS.indexOf('attempts'), USAGE_COLUMNS.indexOf('detail')];

/**
 * The journal line of a row: the row as a JSON array, except that the JSON-text columns go in as the JSON values they
 * already are. Written as strings, every quote inside them was escaped on the way out (the slowest part of the line, by
 * callgrind) and unescaped again on replay.
 */
export function journalLine(row: JournalRow): string {
  let line = '[';
  let from = 0;
  for (const column of JSON_COLUMNS) {
    if (column > from) line += `${JSON.stringify(row.slice(from, column)).slice(1, -1)},`;
    line += `${row[column] ?? 'null'}`;
    from = column + 1;
    if (from < row.length) line += ',';
  }
  if (from < row.length) line += JSON.stringify(row.slice(from)).slice(1, -1);
  return `${line}]`;
}

/** A journal line back to its row (lines that carried the JSON columns as strings, before 0.3, come back unchanged). */
export function rowOfLine(parsed: JournalRow | unknown[]): JournalRow {
  const row = parsed as JournalRow;
  for (const column of JSON_COLUMNS) {
    const value = (parsed as unknown[])[column];
    if (value !== null && typeof value === 'object') row[column] = JSON.stringify(value);
  }
  return row;
}

const TRUNCATE_AT_BYTES = 8 * 1024 * 1024;

export class UsageJournal {
  readonly #path: string;
  readonly #lockPath: string;
  #fd: number;
  #bytes = 0;

  private constructor(path: string, lockPath: string, fd: number) {
    this.#path = path;
    this.#lockPath = lockPath;
    this.#fd = fd;
  }

  /** Opens the journal beside `databasePath`, or returns null when another live process owns it. */
  static open(databasePath: string): UsageJournal | null {
    const path = `${databasePath}-usage-journal`;
    const lockPath = `${path}.lock`;
    if (!acquireLock(lockPath)) return null;
    const journal = new UsageJournal(path, lockPath, openSync(path, 'a+'));
    return journal;
  }

  /**
   * Rows a crashed predecessor left behind. A torn last line (killed mid-write) is skipped. Lines are rows (`[…]`, the
   * JSON columns as JSON values since 0.3, as strings before); journals of versions before 0.2 held record objects
   * (`{…}`), which are converted.
   */
  replay(): JournalRow[] {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch {
      return [];
    }
    const rows: JournalRow[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      try {
        const parsed = JSON.parse(line) as JournalRow | UsageRecord;
        rows.push(Array.isArray(parsed) ? rowOfLine(parsed) : toJournalRow(parsed));
      } catch {
        // A partial line from a write the kill interrupted: its request never got its last byte.
      }
    }
    return rows;
  }

  /**
   * Makes `record` durable: one write of one line, the record as the row SQLite will insert (half the bytes of the
   * record object, and `attempts` and `detail` serialised once for both). Returns the row for the batched insert.
   */
  append(record: UsageRecord): JournalRow {
    const row = toJournalRow(record);
    this.#bytes += writeSync(this.#fd, `${journalLine(row)}\n`);
    return row;
  }

  /**
   * Everything appended so far is committed elsewhere. The file is emptied only once it has grown past
   * `TRUNCATE_AT_BYTES`: truncating after every batch made the filesystem free and reallocate the same blocks five times a
   * second, which cost ten times the append itself. Lines already committed are harmless on replay (inserts are
   * idempotent on the record id); the bound keeps a replay to a few thousand records.
   */
  truncate(force = false): void {
    if (!force && this.#bytes < TRUNCATE_AT_BYTES) return;
    ftruncateSync(this.#fd, 0);
    this.#bytes = 0;
  }

  /** Call only once everything is committed: removes the journal and its lock. */
  close(): void {
    closeSync(this.#fd);
    for (const file of [this.#path, this.#lockPath]) {
      try {
        unlinkSync(file);
      } catch {
        // Already gone.
      }
    }
  }
}

function acquireLock(lockPath: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(lockPath, 'utf8'));
      } catch {
        // Unreadable lock: treat as stale.
      }
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) return false;
      try {
        unlinkSync(lockPath);
      } catch {
        return false;
      }
    }
  }
  return false;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
