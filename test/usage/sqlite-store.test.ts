/** The store contract against SQLite (in-memory and on-disk), plus SQLite-specific settings. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION } from '../../src/usage/migrations/index.js';
import { openUsageStore } from '../../src/usage/store.js';
import { runStoreContract } from './store-contract.js';

const directory = mkdtempSync(join(tmpdir(), 'automodel-sqlite-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('SQLite usage store', () => {
  runStoreContract({
    openFresh: (options) => openUsageStore({ ...options, sqlitePath: ':memory:' }),
    // One file for the run; the tests that reopen it only look at their own records.
    openShared: () => openUsageStore({ sqlitePath: join(directory, 'shared.db') }),
  });

  it('uses WAL, synchronous=NORMAL and the latest user_version, and creates parent folders', async () => {
    const path = join(directory, 'nested', 'folder', 'usage.db');
    const store = await openUsageStore({ sqlitePath: path });
    await store.close();
    const again = await openUsageStore({ sqlitePath: path });
    await again.close();
    const database = new Database(path, { readonly: true });
    try {
      assert.equal(database.pragma('journal_mode', { simple: true }), 'wal');
      assert.equal(database.pragma('user_version', { simple: true }), LATEST_SCHEMA_VERSION);
      const indexes = database.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'usage_records'").all();
      assert.ok(indexes.length >= 4);
    } finally {
      database.close();
    }
  });
});
