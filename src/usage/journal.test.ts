import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { makeRecord } from '../../test/usage/fixtures.js';
import { journalLine, rowOfLine, toJournalRow, UsageJournal } from './journal.js';
import { openUsageStore } from './store.js';

const directory = mkdtempSync(join(tmpdir(), 'automodel-journal-'));
after(() => rmSync(directory, { recursive: true, force: true }));

it('a journal left by a killed process is replayed into the store on open; a torn last line is skipped', async () => {
  const path = join(directory, 'usage.db');
  const journal = UsageJournal.open(path)!;
  journal.append(makeRecord({ id: 'left-1', time: 1_700_000_000_000 }));
  journal.append(makeRecord({ id: 'left-2', time: 1_700_000_000_001 }));
  // A line as journals before 0.2 wrote it (the record object), as an upgrade finds it.
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

it('a journal line carries the JSON columns as JSON values and reads back to the same row', () => {
  const record = makeRecord({
    id: 'line-1',
    detail: { diagnostics: ['mode "plan" from x-kilocode-mode', 'é → ü'], candidates: ['anthropic:claude-opus-4-5'] },
  });
  const row = toJournalRow(record);
  const line = journalLine(row);
  const parsed = JSON.parse(line) as unknown[];
  assert.deepEqual(parsed[12], record.attempts, 'attempts as a JSON array, not a string of JSON');
  assert.deepEqual(parsed[29], record.detail);
  assert.ok(!line.includes('"[{\\"'), 'attempts not serialised twice (a string of JSON)');
  assert.deepEqual(rowOfLine(parsed), row);
  const noDetail = toJournalRow(makeRecord({ id: 'line-2', detail: null }));
  assert.deepEqual(rowOfLine(JSON.parse(journalLine(noDetail)) as unknown[]), noDetail);
  // A line as 0.2 wrote it (the JSON columns as strings) reads back unchanged.
  assert.deepEqual(rowOfLine(JSON.parse(JSON.stringify(row)) as unknown[]), row);
});
