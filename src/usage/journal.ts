/**
 * An append-only journal that makes usage records durable with one `write(2)` for all those that finish in the same turn
 * of the event loop: the kernel keeps the bytes when the process is killed, so a record is safe as soon as the write
 * that holds it returns. The store then moves records from the journal into SQLite in
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
import { decodeRecord, encodeRecord } from './record-data.js';
import { recordToRow, type UsageRow } from './store.js';
import type { UsageRecord } from './types.js';

const TRUNCATE_AT_BYTES = 8 * 1024 * 1024;
/**
 * Staged lines share this buffer; a line up to a third of its size in UTF-16 units is encoded without allocating (records
 * run to about 1 KB, so some sixty fit).
 */
const SCRATCH_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

export class UsageJournal {
  readonly #path: string;
  readonly #lockPath: string;
  #fd: number;
  #bytes = 0;
  /** Bytes of staged lines at the start of `#scratch`, not yet written. */
  #staged = 0;
  readonly #scratch = Buffer.allocUnsafe(SCRATCH_BYTES);

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
   * Rows a crashed predecessor left behind. A torn last line (killed mid-write) is skipped. Lines are records as
   * `encodeRecord` writes them; lines of earlier versions are read by `decodeRecord` and stored in today's encoding.
   */
  replay(): UsageRow[] {
    let text: string;
    try {
      text = readFileSync(this.#path, 'utf8');
    } catch {
      return [];
    }
    const rows: UsageRow[] = [];
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      try {
        rows.push(recordToRow(decodeRecord(JSON.parse(line))));
      } catch {
        // A partial line from a write the kill interrupted: its request never got its last byte.
      }
    }
    return rows;
  }

  /**
   * Makes `record` durable at once: its line is staged and written (with any staged before it). Returns the row for the
   * batched insert.
   */
  append(record: UsageRecord): UsageRow {
    const row = this.stage(record);
    this.writeStaged();
    return row;
  }

  /**
   * Encodes `record` as the store's `data` column keeps it (serialised once for both) and stages its line for the next
   * `writeStaged`, so the records that finish in one turn of the event loop take one `write(2)` between them. The record
   * is durable only once `writeStaged` has returned. Returns the row for the batched insert.
   */
  stage(record: UsageRecord): UsageRow {
    const data = encodeRecord(record);
    // Lines are encoded into a buffer kept for the purpose, newline included: writing the string `${data}\n` made V8
    // flatten the concatenation into a new string before converting it (a copy and an allocation a request).
    const scratch = this.#scratch;
    if (data.length * 3 >= scratch.length - this.#staged) {
      // No room behind the staged lines: they go out now (earlier than asked, which only makes them durable sooner).
      this.writeStaged();
    }
    if (data.length * 3 < scratch.length) {
      const length = scratch.write(data, this.#staged);
      scratch[this.#staged + length] = NEWLINE;
      this.#staged += length + 1;
    } else {
      this.#bytes += writeSync(this.#fd, `${data}\n`);
    }
    return recordToRow(record, data);
  }

  /** Writes the staged lines in one `write(2)`; they are durable when it returns (the kernel keeps them through a kill). */
  writeStaged(): void {
    let written = 0;
    while (written < this.#staged) written += writeSync(this.#fd, this.#scratch, written, this.#staged - written);
    this.#bytes += written;
    this.#staged = 0;
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
