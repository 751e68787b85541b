/**
 * kill -9 during a burst loses no acknowledged record: a child records usage in a loop (awaiting each
 * `record()` before printing the id), we SIGKILL it mid-burst, reopen the database and look for every
 * id it printed. Run against both backends.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openUsageStore, type UsageStoreOptions } from '../../src/usage/store.js';
import { assertPostgresReachable, dropSchemas, TEST_DATABASE_URL, uniqueSchemaName } from './postgres.js';

const writerScript = fileURLToPath(new URL('./crash-writer.js', import.meta.url));
/** Acknowledgements to wait for before the kill: well into the burst. */
const KILL_AFTER = 2_000;

/** Run the writer, kill it after `KILL_AFTER` acknowledged ids, return every id it acknowledged. */
async function burstAndKill(database: string, schema: string): Promise<string[]> {
  const child = spawn(process.execPath, [writerScript, database, schema, '16'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acknowledged: string[] = [];
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    if (line === 'ready') continue;
    acknowledged.push(line);
    if (acknowledged.length === KILL_AFTER) child.kill('SIGKILL');
  }
  assert.equal(await exited, 'SIGKILL', 'the writer should have been killed, not exited');
  return acknowledged;
}

async function assertAllStored(options: UsageStoreOptions, ids: string[], diagnostic: (message: string) => void): Promise<void> {
  const store = await openUsageStore(options);
  try {
    const missing: string[] = [];
    for (const id of ids) if ((await store.getRequest(id)) === null) missing.push(id);
    assert.deepEqual(missing, [], `${missing.length} of ${ids.length} acknowledged records were lost`);
    const [total] = await store.summarize({ by: 'total' });
    assert.ok((total?.requests ?? 0) >= ids.length);
    diagnostic(`${ids.length} acknowledged before the kill, ${total?.requests ?? 0} stored`);
  } finally {
    await store.close();
  }
}

describe('crash safety (SIGKILL mid-burst)', () => {
  const directory = mkdtempSync(join(tmpdir(), 'automodel-crash-'));
  const schema = uniqueSchemaName('crash');
  after(async () => {
    rmSync(directory, { recursive: true, force: true });
    await dropSchemas([schema]);
  });

  it('SQLite keeps every acknowledged record', async (context) => {
    const path = join(directory, 'crash.db');
    const ids = await burstAndKill(path, '-');
    assert.ok(ids.length >= KILL_AFTER);
    await assertAllStored({ sqlitePath: path }, ids, (message) => context.diagnostic(message));
  });

  it('PostgreSQL keeps every acknowledged record', async (context) => {
    await assertPostgresReachable();
    const ids = await burstAndKill(TEST_DATABASE_URL, schema);
    assert.ok(ids.length >= KILL_AFTER);
    await assertAllStored({ databaseUrl: TEST_DATABASE_URL, schema }, ids, (message) => context.diagnostic(message));
  });
});
