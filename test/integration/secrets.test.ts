/**
 * Provider keys never leave the gateway except towards their own provider.
 *
 * One gateway with all three provider keys set to distinctive values (every base URL points at the loopback mock), a
 * logger that keeps every line at `debug` with no redaction of its own (so the test holds even if the gateway's
 * redact paths were removed), and requests of every kind: JSON and SSE on both protocols, count_tokens, model lists,
 * upstream 401 and 500 (which walk the fallback chain through all three providers), malformed bodies, a client abort mid-stream and a dry run. Then no key may appear in the logs, any response
 * body or header, `/metrics`, `/api/requests`, `/api/requests/:id`, `/api/usage`, `/api/health/upstreams`, `/api/route`
 * or any row of the SQLite store.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { SUMMARY_DIMENSIONS } from '../../src/usage/store.js';
import { eventually } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';

/** Distinctive values; each has a middle fragment that a partial echo would still show. */
const KEYS = {
  anthropic: 'sk-ant-api03-LEAKCHECK-anthropic-5d1f0c9b7a3e',
  openrouter: 'sk-or-v1-LEAKCHECK-openrouter-8c2e4a6b0d1f',
  openai: 'sk-proj-LEAKCHECK-openai-3b9d7f1e5a2c',
} as const;
const FRAGMENTS = Object.values(KEYS).flatMap((key) => [key, key.slice(8, 28)]);

/** Every string that a key could hide in, labelled by where it came from. */
type Exposure = { where: string; text: string };

function leaksIn(exposures: readonly Exposure[]): string[] {
  const found: string[] = [];
  for (const exposure of exposures) {
    for (const fragment of FRAGMENTS) if (exposure.text.includes(fragment)) found.push(`${exposure.where} contains "${fragment}"`);
  }
  return found;
}

describe('provider keys never leak', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  let gatewayClosed = false;
  let directory: string;
  let databasePath: string;
  const logLines: string[] = [];
  const exposures: Exposure[] = [];
  const requestIds = new Set<string>();

  /** Sends a request, reads the whole response, and files its status line, headers and body as exposures. */
  async function call(label: string, path: string, init: RequestInit = {}): Promise<{ status: number; text: string; headers: Headers }> {
    const response = await fetch(`${gateway.url}${path}`, init);
    const text = await response.text();
    const headerText = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n');
    exposures.push({ where: `${label} response headers`, text: headerText }, { where: `${label} response body`, text });
    const id = response.headers.get('x-automodel-request-id');
    if (id) requestIds.add(id);
    return { status: response.status, text, headers: response.headers };
  }

  const chat = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer client-key', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const messages = (body: unknown, headers: Record<string, string> = {}) => ({
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const chatBody = (stream: boolean) => ({ model: 'kilo/auto', stream, messages: [{ role: 'user', content: 'hello' }] });
  const messagesBody = (stream: boolean) => ({ model: 'kilo/auto', stream, max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] });

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'automodel-secrets-'));
    databasePath = join(directory, 'usage.db');
    mock = await startMockUpstream();
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      env: {
        AUTOMODEL_DB: databasePath,
        ANTHROPIC_API_KEY: KEYS.anthropic,
        ANTHROPIC_BASE_URL: mock.url,
        OPENROUTER_API_KEY: KEYS.openrouter,
        OPENROUTER_BASE_URL: `${mock.url}/api/v1`,
        OPENAI_API_KEY: KEYS.openai,
        OPENAI_BASE_URL: `${mock.url}/v1`,
      },
      logger: pino({ level: 'debug' }, { write: (line: string) => void logLines.push(line) }),
      sleep: async () => {},
      timeouts: { firstByteMs: 2_000, idleMs: 2_000 },
    });

    // Successful calls, both protocols, JSON and SSE, plus the side routes.
    await call('chat JSON', '/v1/chat/completions', chat(chatBody(false)));
    await call('chat SSE', '/v1/chat/completions', chat(chatBody(true)));
    await call('messages JSON', '/v1/messages', messages(messagesBody(false)));
    await call('messages SSE', '/v1/messages', messages(messagesBody(true)));
    await call('messages JSON (code mode, cache tokens)', '/v1/messages', messages(messagesBody(false), { 'x-kilocode-mode': 'code' }));
    await call('kilo route SSE', '/api/openrouter/chat/completions', chat(chatBody(true), { 'x-kilocode-mode': 'plan' }));
    await call('count_tokens', '/v1/messages/count_tokens', messages({ model: 'kilo/auto', messages: [{ role: 'user', content: 'count me' }] }));
    await call('models', '/v1/models');
    await call('kilo models', '/api/openrouter/models');
    await call('kilo user', '/api/user', { headers: { authorization: 'Bearer client-key' } });

    // Upstream 401 on every provider, both protocols (the attempt loop may fall back to the next provider's key).
    mock.setDefaults({ fault: 'status', status: 401 });
    await call('chat upstream 401', '/v1/chat/completions', chat(chatBody(false)));
    await call('messages upstream 401 (SSE)', '/v1/messages', messages(messagesBody(true)));
    // Upstream 500 everywhere: retries and fallback walk every provider, so every key is sent (and must stay there).
    mock.setDefaults({ fault: 'status', status: 500 });
    await call('chat upstream 500', '/v1/chat/completions', chat(chatBody(false)));
    await call('messages upstream 500 (SSE)', '/v1/messages', messages(messagesBody(true)));
    // A 500 on a concrete model with no fallback.
    await call('concrete model 500', '/v1/chat/completions', chat({ ...chatBody(false), model: 'claude-haiku-4-5' }));
    mock.setDefaults(undefined);
    // An error event after the stream has started.
    mock.enqueue({ fault: 'error-event', afterFrames: 3 });
    await call('messages error mid-stream', '/v1/messages', messages(messagesBody(true), { 'x-kilocode-mode': 'code' }));

    // Malformed client bodies.
    await call('chat malformed JSON', '/v1/chat/completions', chat('{"model":"kilo/auto", messages: ['));
    await call('messages malformed JSON', '/v1/messages', messages('{"model":'));
    await call('chat wrong shape', '/v1/chat/completions', chat({ model: 'kilo/auto', messages: 'not a list' }));
    await call('route malformed JSON', '/api/route', chat('not json'));

    // A client abort in the middle of a stream.
    mock.enqueue({ fault: 'slow-drip', delayMs: 40, chunks: 40 });
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { ...chat(chatBody(true)), signal: controller.signal });
    exposures.push({ where: 'aborted stream headers', text: [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n') });
    const reader = response.body!.getReader();
    const first = await reader.read();
    exposures.push({ where: 'aborted stream first chunk', text: new TextDecoder().decode(first.value) });
    controller.abort();
    await reader.cancel().catch(() => {});

    // The dry run, with and without a mode header.
    await call('route', '/api/route', chat(chatBody(false), { 'x-kilocode-mode': 'architect' }));
    await call('route (anthropic)', '/api/route?protocol=anthropic-messages', messages(messagesBody(false)));

    // Let the store catch up with every request, the aborted one included.
    await eventually(() => true);
    await new Promise((resolve) => setTimeout(resolve, 300));
  });

  after(async () => {
    if (gateway && !gatewayClosed) await gateway.close();
    await mock?.close();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  it('the keys were really used: each reached the mock on its own provider, and only there', (context) => {
    context.diagnostic(`${mock.calls.length} upstream calls`);
    const seen = (key: string) => mock.calls.filter((call) => JSON.stringify(call.headers).includes(key));
    assert.ok(seen(KEYS.anthropic).length > 0, 'anthropic key sent upstream');
    assert.ok(seen(KEYS.openrouter).length > 0, 'openrouter key sent upstream');
    assert.ok(seen(KEYS.openai).length > 0, 'openai key sent upstream');
    for (const call of seen(KEYS.anthropic)) assert.equal(call.flavour, 'anthropic', call.path);
    for (const call of seen(KEYS.openrouter)) assert.match(call.path, /\/api\/v1\//);
    for (const call of seen(KEYS.openai)) assert.doesNotMatch(call.path, /\/api\/v1\//);
    // Never in a request body (a translated or passed-through body carries no credentials).
    assert.deepEqual(leaksIn(mock.calls.map((call) => ({ where: `upstream body ${call.index}`, text: call.rawBody }))), []);
    // The scanner itself finds a key where there is one.
    assert.equal(leaksIn([{ where: 'probe', text: `x ${KEYS.openai} y` }]).length, 2);
  });

  it('no key in any response body or header', (context) => {
    context.diagnostic(`${exposures.length} response parts scanned`);
    assert.ok(exposures.length >= 40, `${exposures.length} responses recorded`);
    assert.deepEqual(leaksIn(exposures), []);
  });

  it('no key in the logs, at debug level', (context) => {
    context.diagnostic(`${logLines.length} log lines scanned`);
    assert.ok(logLines.length >= 10, `${logLines.length} log lines`);
    assert.deepEqual(leaksIn(logLines.map((line, index) => ({ where: `log line ${index + 1}`, text: line }))), []);
  });

  it('no key in /metrics, /api/usage, /api/requests, /api/requests/:id, /api/health/upstreams', async (context) => {
    const reads: Exposure[] = [];
    const read = async (path: string) => {
      const response = await fetch(`${gateway.url}${path}`);
      const text = await response.text();
      assert.equal(response.status, 200, `${path}: ${text.slice(0, 200)}`);
      reads.push({ where: path, text: `${[...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')}\n${text}` });
      return text;
    };
    await read('/metrics');
    for (const by of SUMMARY_DIMENSIONS) await read(`/api/usage?by=${by}`);
    const list = JSON.parse(await read('/api/requests?limit=500')) as { data: Array<{ id: string }> };
    assert.ok(list.data.length >= 15, `${list.data.length} requests listed`);
    for (const entry of list.data) requestIds.add(entry.id);
    for (const id of requestIds) await read(`/api/requests/${encodeURIComponent(id)}`);
    await read('/api/health/upstreams');
    context.diagnostic(`${reads.length} admin responses scanned (${requestIds.size} request details)`);
    assert.deepEqual(leaksIn(reads), []);
  });

  it('no key in any row of the SQLite store', async (context) => {
    // Closing flushes the batched writes; the rows are then read straight from the file.
    gatewayClosed = true;
    await gateway.close();
    const database = new Database(databasePath, { readonly: true });
    try {
      const tables = database.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
      assert.ok(tables.length > 0);
      const rows: Exposure[] = [];
      let count = 0;
      for (const { name } of tables) {
        for (const row of database.prepare(`SELECT * FROM "${name}"`).all()) {
          count++;
          rows.push({ where: `table ${name}`, text: JSON.stringify(row) });
        }
      }
      context.diagnostic(`${count} rows in ${tables.length} tables scanned`);
      assert.ok(count >= 15, `${count} rows`);
      assert.deepEqual(leaksIn(rows), []);
    } finally {
      database.close();
    }
  });
});

/**
 * An upstream that quotes the key back in its error message (OpenAI-compatible proxies do; OpenAI itself masks all but
 * the ends). The gateway relays upstream error messages to the client and stores them, so it must scrub its own
 * provider keys from them first.
 */
describe('an upstream error that quotes the provider key back', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  const exposures: Exposure[] = [];

  before(async () => {
    mock = await startMockUpstream();
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      env: { AUTOMODEL_DB: ':memory:', ANTHROPIC_API_KEY: KEYS.anthropic, ANTHROPIC_BASE_URL: mock.url },
      logger: pino({ level: 'silent' }),
      sleep: async () => {},
    });
    const send = async (where: string, path: string, body: unknown, headers: Record<string, string>) => {
      const response = await fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'code', ...headers }, body: JSON.stringify(body) });
      exposures.push({ where, text: await response.text() });
    };
    mock.enqueue({ fault: 'status', status: 401, errorMessage: `Invalid API key: ${KEYS.anthropic}` });
    await send('passthrough 401 body', '/v1/messages', { model: 'kilo/auto', max_tokens: 8, messages: [{ role: 'user', content: 'hi' }] }, { 'anthropic-version': '2023-06-01' });
    mock.enqueue({ fault: 'status', status: 400, errorMessage: `request rejected for key ${KEYS.anthropic}` });
    await send('translated 400 body', '/v1/chat/completions', { model: 'kilo/auto', stream: true, messages: [{ role: 'user', content: 'hi' }] }, {});
    await new Promise((resolve) => setTimeout(resolve, 100));
  });

  after(async () => {
    await gateway?.close();
    await mock?.close();
  });

  it('the client sees the upstream status and message, with the key scrubbed', () => {
    assert.equal(exposures.length, 2);
    assert.ok(exposures.every((exposure) => /Invalid API key|request rejected/.test(exposure.text)), JSON.stringify(exposures));
    assert.deepEqual(leaksIn(exposures), []);
  });

  it('/api/requests and /api/requests/:id hold no key', async () => {
    const list = await (await fetch(`${gateway.url}/api/requests`)).text();
    const reads: Exposure[] = [{ where: '/api/requests', text: list }];
    for (const entry of (JSON.parse(list) as { data: Array<{ id: string }> }).data) {
      reads.push({ where: `/api/requests/${entry.id}`, text: await (await fetch(`${gateway.url}/api/requests/${entry.id}`)).text() });
    }
    assert.equal(reads.length, 3);
    assert.deepEqual(leaksIn(reads), []);
  });
});
