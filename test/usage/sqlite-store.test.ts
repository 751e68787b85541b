/** The store contract against SQLite (in-memory and on-disk), plus SQLite-specific settings. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { migration001 } from '../../src/usage/migrations/001-usage-records.js';
import { migration002 } from '../../src/usage/migrations/002-lean-indexes.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/usage/migrations/index.js';
import { openUsageStore } from '../../src/usage/store.js';
import { migrationRecords, version2Row, VERSION_2_COLUMNS } from './fixtures.js';
import { runStoreContract } from './store-contract.js';

const directory = mkdtempSync(join(tmpdir(), 'automodel-sqlite-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('SQLite usage store', () => {
  runStoreContract({
    openFresh: (options) => openUsageStore({ ...options, sqlitePath: ':memory:' }),
    // One file for the run; the tests that reopen it only look at their own records.
    openShared: () => openUsageStore({ sqlitePath: join(directory, 'shared.db') }),
  });

  it('uses WAL, 16 KB pages, synchronous=NORMAL and the latest user_version, and creates parent folders', async () => {
    const path = join(directory, 'nested', 'folder', 'usage.db');
    const store = await openUsageStore({ sqlitePath: path });
    await store.close();
    const again = await openUsageStore({ sqlitePath: path });
    await again.close();
    const database = new Database(path, { readonly: true });
    try {
      assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(database.pragma('page_size', { simple: true }), 16384);
      assert.equal(database.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
      const indexes = database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_records' AND sql IS NOT NULL").all();
      assert.deepEqual(indexes, [{ name: 'usage_records_time' }]);
    } finally {
      database.close();
    }
  });

  it('upgrades a version-1 database in place: rows kept, the four secondary indexes dropped, its page size kept', async () => {
    const path = join(directory, 'version-1.db');
    const old = new Database(path);
    old.exec(migration001.sqlite);
    old.pragma('user_version = 1');
    old
      .prepare(
        `INSERT INTO usage_records (id, time, client_protocol, route, mode, mode_source, attempts, status, tokens_estimated, cost_source, duration_ms, streamed, aborted)
         VALUES ('old-row', 1700000000000, 'openai-chat', '/v1/chat/completions', 'plan', 'header', '[]', 200, 0, 'catalog', 12.5, 0, 0)`,
      )
      .run();
    old.close();
    const store = await openUsageStore({ sqlitePath: path });
    try {
      const kept = await store.getRequest('old-row');
      assert.equal(kept?.mode, 'plan');
      assert.equal(kept?.durationMs, 12.5);
    } finally {
      await store.close();
    }
    const database = new Database(path, { readonly: true });
    try {
      assert.equal(database.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
      assert.equal(database.pragma('page_size', { simple: true }), 4096, 'an existing file keeps the page size it was made with');
      const names = database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
      assert.deepEqual(names, [{ name: 'usage_records_time' }]);
    } finally {
      database.close();
    }
  });

  it('upgrades a version-2 database to the data column: every record reads back exactly as it was written', async () => {
    const path = join(directory, 'version-2.db');
    const old = new Database(path);
    old.exec(migration001.sqlite);
    old.exec(migration002.sqlite);
    old.pragma('user_version = 2');
    const insert = old.prepare(`INSERT INTO usage_records (${VERSION_2_COLUMNS.join(', ')}) VALUES (${VERSION_2_COLUMNS.map(() => '?').join(', ')})`);
    const records = migrationRecords();
    for (const record of records) insert.run(...version2Row(record, (value) => (value ? 1 : 0)));
    old.close();
    const store = await openUsageStore({ sqlitePath: path });
    try {
      for (const record of records) assert.deepEqual(await store.getRequest(record.id), record);
      const [total] = await store.summarize({ by: 'total' });
      assert.equal(total?.requests, 3);
      assert.equal(total?.inputTokens, 12_345 * 2);
    } finally {
      await store.close();
    }
    const database = new Database(path, { readonly: true });
    try {
      const columns = (database.prepare('PRAGMA table_info(usage_records)').all() as Array<{ name: string }>).map((column) => column.name);
      assert.equal(columns.at(-1), 'data');
      assert.equal(columns.length, 18);
      const names = database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
      assert.deepEqual(names, [{ name: 'usage_records_time' }]);
    } finally {
      database.close();
    }
  });

  it('a second process migrating the same new database at the same time waits, then finds nothing to do', async () => {
    const path = join(directory, 'racing.db');
    const first = new Database(path);
    first.pragma('journal_mode = WAL');
    // The first process is mid-migration: its write transaction holds every migration, not yet committed.
    first.exec('BEGIN IMMEDIATE');
    for (const migration of MIGRATIONS) first.exec(migration.sqlite);
    first.pragma(`user_version = ${LATEST_SCHEMA_VERSION}`);
    // The second runs in a worker (its wait for the lock blocks its thread): it reads version 0, then waits for the lock.
    const module = new URL('../../src/usage/sqlite-store.js', import.meta.url).href;
    const worker = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const Database = require('better-sqlite3');
       import(workerData.module).then(({ migrateSqlite }) => {
         const database = new Database(workerData.path, { timeout: 10000 });
         parentPort.postMessage('started');
         try { parentPort.postMessage({ version: migrateSqlite(database) }); }
         catch (error) { parentPort.postMessage({ error: String(error) }); }
         finally { database.close(); }
       });`,
      { eval: true, workerData: { module, path } },
    );
    const messages: unknown[] = [];
    const done = new Promise<void>((resolve, reject) => {
      worker.on('message', (message) => {
        messages.push(message);
        if (message !== 'started') resolve();
      });
      worker.on('error', reject);
    });
    await new Promise<void>((resolve) => worker.once('message', () => resolve()));
    await new Promise((resolve) => setTimeout(resolve, 200));
    first.exec('COMMIT');
    first.close();
    await done;
    await worker.terminate();
    assert.deepEqual(messages.at(-1), { version: LATEST_SCHEMA_VERSION });
  });
});
