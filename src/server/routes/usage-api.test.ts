import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { makeRecord, makeSparseRecord } from '../../../test/usage/fixtures.js';
import { openUsageStore, type UsageStore } from '../../usage/store.js';
import { usageApiRoutes } from './usage-api.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const HOUR = 3_600_000;

describe('usage API', () => {
  let store: UsageStore;
  let server: Server;
  let base: string;

  before(async () => {
    store = await openUsageStore({ sqlitePath: ':memory:' });
    await Promise.all([
      store.record(makeRecord({ id: 'r1', time: NOW - 2 * HOUR, mode: 'code', costUsd: 0.1, baselineCostUsd: 0.5 })),
      store.record(makeRecord({ id: 'r2', time: NOW - HOUR, mode: 'plan', costUsd: 0.3, baselineCostUsd: 0.3 })),
      store.record(makeSparseRecord({ id: 'r/3 odd', time: NOW - 30 * 60_000 })),
      store.record(makeRecord({ id: 'old', time: NOW - 10 * 24 * HOUR, mode: 'code', costUsd: 5, baselineCostUsd: 5 })),
    ]);
    const routes = usageApiRoutes({ store, now: () => NOW });
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const exact = routes.extraRoutes[`${request.method} ${url.pathname}`];
      const prefixed = routes.prefixRoutes.find((route) => route.method === request.method && url.pathname.startsWith(route.prefix));
      const handler = exact ?? prefixed?.handler;
      if (handler) void handler(request, response, url);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    await store.close();
  });

  async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(base + path);
    assert.equal(response.headers.get('content-type'), 'application/json');
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  it('summarizes the last 7 days by mode by default, with a total row', async () => {
    const { status, body } = await get('/api/usage');
    assert.equal(status, 200);
    assert.equal(body.by, 'mode');
    assert.equal(body.since, new Date(NOW - 7 * 24 * HOUR).toISOString());
    assert.equal(body.until, null);
    const rows = body.rows as Array<{ key: string | null; requests: number; costUsd: number | null; savingsUsd: number | null }>;
    assert.deepEqual(rows.map((row) => [row.key, row.requests, row.costUsd, row.savingsUsd]), [['code', 1, 0.1, 0.4], ['plan', 1, 0.3, 0], [null, 1, null, null]]);
    const total = body.total as { requests: number; costUsd: number; baselineCostUsd: number; savingsUsd: number; savingsPct: number };
    assert.deepEqual([total.requests, total.costUsd, total.baselineCostUsd, total.savingsUsd, total.savingsPct], [3, 0.4, 0.8, 0.4, 50]);
  });

  it('honours since, until and by', async () => {
    const { body } = await get('/api/usage?since=all&by=day');
    assert.deepEqual((body.rows as Array<{ key: string }>).map((row) => row.key), ['2026-11-16', '2026-11-26']);
    const windowed = await get(`/api/usage?since=90m&until=${new Date(NOW - 45 * 60_000).toISOString()}&by=model`);
    assert.deepEqual((windowed.body.rows as Array<{ key: string; requests: number }>).map((row) => [row.key, row.requests]), [['claude-sonnet-4-5', 1]]);
  });

  it('rejects bad query parameters with an OpenAI-style 400', async () => {
    for (const [path, param] of [['/api/usage?since=yesterday', 'since'], ['/api/usage?by=colour', 'by'], ['/api/usage?until=3x', 'until'],
      ['/api/requests?limit=0', 'limit'], ['/api/requests?limit=abc', 'limit'], ['/api/requests?status=teapot', 'status'], ['/api/requests?before=soon', 'before']] as const) {
      const { status, body } = await get(path);
      assert.equal(status, 400, path);
      const error = body.error as { type: string; code: string; param: string; message: string };
      assert.deepEqual([error.type, error.code, error.param], ['invalid_request_error', 'invalid_query', param], path);
      assert.ok(error.message.length > 0);
    }
  });

  it('lists requests newest first, filters, and pages with next_before', async () => {
    const all = await get('/api/requests');
    assert.deepEqual((all.body.data as Array<{ id: string }>).map((record) => record.id), ['r/3 odd', 'r2', 'r1', 'old']);
    assert.equal(all.body.next_before, null);
    const page = await get('/api/requests?limit=2');
    assert.equal(page.body.next_before, NOW - HOUR);
    const next = await get(`/api/requests?limit=2&before=${String(page.body.next_before)}`);
    assert.deepEqual((next.body.data as Array<{ id: string }>).map((record) => record.id), ['r1', 'old']);
    const errors = await get('/api/requests?status=error');
    assert.deepEqual((errors.body.data as Array<{ id: string }>).map((record) => record.id), ['r/3 odd']);
    const code = await get('/api/requests?mode=code&status=200');
    assert.deepEqual((code.body.data as Array<{ id: string }>).map((record) => record.id), ['r1', 'old']);
    const none = await get('/api/requests?mode=none');
    assert.deepEqual((none.body.data as Array<{ id: string }>).map((record) => record.id), ['r/3 odd']);
  });

  it('returns one request by id, and 404 for an unknown id', async () => {
    const found = await get(`/api/requests/${encodeURIComponent('r/3 odd')}`);
    assert.equal(found.status, 200);
    assert.deepEqual(found.body, await store.getRequest('r/3 odd'));
    const missing = await get('/api/requests/nope');
    assert.equal(missing.status, 404);
    assert.equal((missing.body.error as { code: string }).code, 'request_not_found');
  });

  it('answers 500 without details when the store fails', async () => {
    const failing = usageApiRoutes({
      store: { ...store, summarize: () => Promise.reject(new Error('disk I/O error at /secret/path')) } as UsageStore,
      now: () => NOW,
    });
    let status = 0;
    let text = '';
    const response = {
      headersSent: false,
      writeHead(code: number) { status = code; return this; },
      end(body: string) { text = body; },
    };
    await failing.extraRoutes['GET /api/usage']?.({} as never, response as never, new URL('http://x/api/usage'));
    assert.equal(status, 500);
    assert.doesNotMatch(text, /secret/);
  });
});
