import assert from 'node:assert/strict';
import { appendFileSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { makeRecord, version2Row, VERSION_2_COLUMNS } from '../../test/usage/fixtures.js';
import { UsageJournal } from './journal.js';
import { encodeRecord } from './record-data.js';
import { openUsageStore } from './store.js';

const directory = mkdtempSync(join(tmpdir(), 'automodel-journal-'));
after(() => rmSync(directory, { recursive: true, force: true }));

it('a journal left by a killed process is replayed into the store on open; a torn last line is skipped', async () => {
  const path = join(directory, 'usage.db');
  const journal = UsageJournal.open(path)!;
  journal.append(makeRecord({ id: 'left-1', time: 1_700_000_000_000 }));
  journal.append(makeRecord({ id: 'left-2', time: 1_700_000_000_001 }));
  // A line as the first journals wrote it (the record object), as an upgrade finds it.
  appendFileSync(`${path}-usage-journal`, `${JSON.stringify(makeRecord({ id: 'left-old', time: 1_700_000_000_001, mode: 'plan', streamed: true }))}\n`);
  appendFileSync(`${path}-usage-journal`, '["torn-3",17');
  // No close(): as if the process had been killed. Its lock names this (live) pid, which the next open may take over.
  const store = await openUsageStore({ sqlitePath: path });
  assert.ok(await store.getRequest('left-1'));
  assert.ok(await store.getRequest('left-2'));
  const old = await store.getRequest('left-old');
  assert.equal(old?.mode, 'plan');
  assert.equal(old?.streamed, true);
  assert.equal(await store.getRequest('torn-3'), null);
  await store.record(makeRecord({ id: 'new-4', time: 1_700_000_000_002 }));
  assert.ok(await store.getRequest('new-4'), 'a query sees records still in the journal');
  await store.close();
  assert.equal(existsSync(`${path}-usage-journal`), false, 'a clean close leaves no journal');
});

it('while another live process owns the journal, the store writes without one (commit per batch)', async () => {
  const path = join(directory, 'shared.db');
  // The parent process (the test runner) stands in for another gateway holding the lock.
  writeFileSync(`${path}-usage-journal.lock`, String(process.ppid));
  assert.equal(UsageJournal.open(path), null);
  const store = await openUsageStore({ sqlitePath: path });
  await store.record(makeRecord({ id: 'direct-1', time: 1_700_000_000_000 }));
  assert.ok(await store.getRequest('direct-1'));
  assert.equal(existsSync(`${path}-usage-journal`), false, 'no journal of its own');
  await store.close();
  assert.equal(readFileSync(`${path}-usage-journal.lock`, 'utf8'), String(process.ppid), 'the owner\'s lock is left alone');
});

it('a journal line is the record as the store keeps it, and journals of earlier versions are replayed', async () => {
  const path = join(directory, 'formats.db');
  const journal = UsageJournal.open(path)!;
  const record = makeRecord({ id: 'line-now', detail: { diagnostics: ['mode "plan" from x-kilocode-mode', 'é → ü'] } });
  const row = journal.append(record);
  const line = readFileSync(`${path}-usage-journal`, 'utf8');
  assert.equal(line, `${encodeRecord(record)}\n`, 'one line, the encoded record');
  assert.equal(row.at(-1), encodeRecord(record), 'the row carries the same text as its data column');
  // Lines as journals wrote them before the data column: the old columns, booleans as 0/1, attempts and detail as
  // strings of JSON (earlier) or as JSON values (later).
  const old = makeRecord({ id: 'line-strings', streamed: true, aborted: false, tokensEstimated: true });
  const bit = (value: boolean): number => (value ? 1 : 0);
  appendFileSync(`${path}-usage-journal`, `${JSON.stringify(version2Row(old, bit))}\n`);
  const later = makeRecord({ id: 'line-values', streamed: false, aborted: true });
  const laterRow = version2Row(later, bit);
  laterRow[VERSION_2_COLUMNS.indexOf('attempts')] = later.attempts;
  laterRow[VERSION_2_COLUMNS.indexOf('detail')] = later.detail;
  appendFileSync(`${path}-usage-journal`, `${JSON.stringify(laterRow)}\n`);
  // No close(): as if killed.
  const store = await openUsageStore({ sqlitePath: path });
  try {
    assert.deepEqual(await store.getRequest('line-now'), record);
    assert.deepEqual(await store.getRequest('line-strings'), old);
    assert.deepEqual(await store.getRequest('line-values'), later);
  } finally {
    await store.close();
  }
});

it('journal lines are exact whatever their size and characters: short, multi-byte and longer than the encoding buffer', () => {
  const path = join(directory, 'lines.db');
  const journal = UsageJournal.open(path)!;
  const records = [
    makeRecord({ id: 'short', time: 1_700_000_000_000 }),
    makeRecord({ id: 'utf8', time: 1_700_000_000_001, reason: 'mode “plan” → reasoning tier 🧠, façade' }),
    // Past a third of the 64 KB buffer in UTF-16 units: written through the string path.
    makeRecord({ id: 'long', time: 1_700_000_000_002, reason: 'é'.repeat(30_000) }),
    makeRecord({ id: 'after-long', time: 1_700_000_000_003 }),
  ];
  for (const record of records) journal.append(record);
  const lines = readFileSync(`${path}-usage-journal`, 'utf8').split('\n');
  assert.deepEqual(lines, [...records.map((record) => encodeRecord(record)), '']);
  journal.truncate(true);
  journal.close();
});

it('records that finish in one turn share one journal write, and each record() settles only once its line is written', async () => {
  const path = join(directory, 'turn.db');
  const store = await openUsageStore({ sqlitePath: path });
  const journalPath = `${path}-usage-journal`;
  try {
    const first = makeRecord({ id: 'turn-1', time: 1_700_000_000_000 });
    const second = makeRecord({ id: 'turn-2', time: 1_700_000_000_001 });
    let settled = 0;
    const pending = [store.record(first), store.record(second)].map((promise) => promise.then(() => settled++));
    assert.equal(readFileSync(journalPath, 'utf8'), '', 'nothing is written while the turn runs');
    assert.equal(settled, 0);
    await Promise.all(pending);
    assert.equal(readFileSync(journalPath, 'utf8'), `${encodeRecord(first)}\n${encodeRecord(second)}\n`, 'both lines, in order, once the turn is over');
    const third = makeRecord({ id: 'turn-3', time: 1_700_000_000_002 });
    await store.record(third);
    assert.ok(readFileSync(journalPath, 'utf8').endsWith(`${encodeRecord(third)}\n`), 'a later turn writes its own');
  } finally {
    await store.close();
  }
});

it('staged lines that outgrow the encoding buffer are written early, and none is lost or reordered', () => {
  const path = join(directory, 'staged.db');
  const journal = UsageJournal.open(path)!;
  // ~12 KB lines: under its one-third rule the 64 KB buffer takes three, so the fourth stage writes those out first.
  const records = Array.from({ length: 5 }, (_, index) => makeRecord({ id: `big-${index}`, time: 1_700_000_000_000 + index, reason: 'x'.repeat(12_000) }));
  for (const record of records) journal.stage(record);
  journal.writeStaged();
  assert.deepEqual(readFileSync(`${path}-usage-journal`, 'utf8').split('\n'), [...records.map((record) => encodeRecord(record)), '']);
  journal.truncate(true);
  journal.close();
});

it('a journal that can no longer be written hands its records to SQLite: none is lost, record() still settles', async () => {
  const path = join(directory, 'broken.db');
  const lines: string[] = [];
  const logger = { warn: () => undefined, error: (_object: Record<string, unknown>, message: string) => void lines.push(message) };
  const store = await openUsageStore({ sqlitePath: path, logger });
  try {
    await store.record(makeRecord({ id: 'before-break', time: 1_700_000_000_000 }));
    // The journal's descriptor is swapped for /dev/full under the store (the lowest free number is the one just closed):
    // its writes now fail with ENOSPC, as on a full disk.
    const journalFd = readdirSync('/proc/self/fd').find((fd) => {
      try {
        return readlinkSync(`/proc/self/fd/${fd}`) === `${path}-usage-journal`;
      } catch {
        return false;
      }
    });
    assert.ok(journalFd, 'the journal is open');
    closeSync(Number(journalFd));
    assert.equal(openSync('/dev/full', 'w'), Number(journalFd));
    await store.record(makeRecord({ id: 'at-break', time: 1_700_000_000_001 }));
    await store.record(makeRecord({ id: 'after-break', time: 1_700_000_000_002 }));
    for (const id of ['before-break', 'at-break', 'after-break']) assert.ok(await store.getRequest(id), id);
    assert.deepEqual(lines, ['usage journal write failed; records are committed to SQLite directly from now on']);
  } finally {
    await store.close();
  }
});

it('records queued without yielding are moved into SQLite 64 at a time as they come, not held until the turn ends', async () => {
  const path = join(directory, 'burst.db');
  const batches: number[] = [];
  const store = await openUsageStore({ sqlitePath: path, onBatchCommitted: (records) => void batches.push(records) });
  try {
    const pending = Array.from({ length: 130 }, (_, index) => store.record(makeRecord({ id: `burst-${index}`, time: 1_700_000_000_000 + index })));
    assert.deepEqual(batches, [64, 64], 'two full batches committed during the synchronous burst');
    await Promise.all(pending);
    assert.ok(await store.getRequest('burst-129'));
  } finally {
    await store.close();
  }
});
