/**
 * The benchmark's store switch does what the store-cost table assumes: with the store off, a request's record is not
 * stored; with it on, it is, through the real store (journal and SQLite) the gateway opens; the control port answers
 * with the state it set.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';
import { startMockUpstream } from '../test/mock-upstream/index.js';
import { openUsageStore } from '../src/usage/store.js';
import { startService, waitForLine } from './processes.js';
import { buildScenarios, gatewayEnvironment } from './scenarios.js';

const SWITCH = fileURLToPath(new URL('./gateway-store-switch.js', import.meta.url));

test('store switch: records are stored while on, dropped while off, and the control port says which', async () => {
  const directory = mkdtempSync(join(tmpdir(), 'automodel-store-switch-'));
  const mock = await startMockUpstream();
  const databasePath = join(directory, 'usage.db');
  const service = startService({
    name: 'store switch',
    command: process.execPath,
    args: [SWITCH, '--port', '0'],
    env: gatewayEnvironment(mock.url, databasePath, 'openrouter'),
    logFile: join(directory, 'switch.log'),
  });
  try {
    const [, gatewayUrl = '', controlUrl = ''] = await waitForLine(service, /listening on (http:\/\/\S+) control (http:\/\/\S+)/, 20_000);
    const scenario = buildScenarios({ only: 'openrouter-chat/tiny/json/c1', all: false })[0]!;
    const send = async (): Promise<string> => {
      const response = await request(`${gatewayUrl}${scenario.gateway.path}`, { method: 'POST', headers: scenario.gateway.headers, body: scenario.gateway.body });
      await response.body.text();
      assert.equal(response.statusCode, 200);
      return String(response.headers['x-automodel-request-id']);
    };
    const control = async (path: string): Promise<{ status: number; text: string }> => {
      const response = await request(`${controlUrl}${path}`, { method: 'POST' });
      return { status: response.statusCode, text: await response.body.text() };
    };

    const storedOn = await send();
    assert.deepEqual(await control('/store/off'), { status: 200, text: 'off' });
    const dropped = [await send(), await send()];
    assert.deepEqual(await control('/store/on'), { status: 200, text: 'on' });
    const storedAgain = await send();
    assert.equal((await control('/store/sideways')).status, 404);
    await service.stop();

    const store = await openUsageStore({ sqlitePath: databasePath });
    try {
      const ids = (await store.listRequests({ limit: 100 })).map((record) => record.id).sort();
      assert.deepEqual(ids, [storedOn, storedAgain].sort());
      for (const id of dropped) assert.equal(await store.getRequest(id), null);
    } finally {
      await store.close();
    }
  } finally {
    await service.stop();
    await mock.close();
    rmSync(directory, { recursive: true, force: true });
  }
});
