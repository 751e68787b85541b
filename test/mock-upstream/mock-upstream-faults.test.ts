/**
 * Fault modes, scripts and lifecycle of the mock: what a gateway's integration tests rely on (a client abort closes the
 * socket, hangs never block `close()`, enqueued scripts apply in order).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startMockUpstream } from './index.js';
import type { MockUpstream } from './index.js';

let mock: MockUpstream;

before(async () => {
  mock = await startMockUpstream();
});

after(async () => {
  await mock.close();
});

const OPENAI_HEADERS = { authorization: 'Bearer k', 'content-type': 'application/json' };
const ANTHROPIC_HEADERS = { 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' };
const STREAM_BODY = JSON.stringify({ model: 'm', stream: true, stream_options: { include_usage: true }, messages: [] });

async function post(path: string, headers: Record<string, string>, body: string, signal?: AbortSignal): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const response = await request(`${mock.url}${path}`, { method: 'POST', headers, body, ...(signal ? { signal } : {}) });
  return { status: response.statusCode, text: await response.body.text(), headers: response.headers };
}

describe('mock upstream faults', () => {
  test('drop-mid-stream writes K frames and then destroys the socket', async () => {
    const response = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...OPENAI_HEADERS, 'x-mock-fault': 'drop-mid-stream', 'x-mock-after': '2' },
      body: STREAM_BODY,
    });
    assert.equal(response.statusCode, 200);
    let received = '';
    await assert.rejects(async () => {
      for await (const chunk of response.body) received += String(chunk);
    });
    assert.equal(received.split('\n\n').filter(Boolean).length, 2);
    assert.equal(await mock.calls.at(-1)?.outcome, 'server-destroyed');
  });

  test('malformed-chunk inserts one invalid data line and keeps going', async () => {
    const { text } = await post('/v1/chat/completions', { ...OPENAI_HEADERS, 'x-mock-fault': 'malformed-chunk', 'x-mock-after': '1' }, STREAM_BODY);
    const events = text.split('\n\n').filter(Boolean);
    const broken = events.filter((event) => {
      const data = event.slice('data: '.length);
      if (data === '[DONE]') return false;
      try {
        JSON.parse(data);
        return false;
      } catch {
        return true;
      }
    });
    assert.equal(broken.length, 1);
    assert.equal(events[1], broken[0]);
    assert.equal(events.at(-1), 'data: [DONE]');
  });

  test('empty-stream sends 200 SSE headers and no body', async () => {
    const { status, text, headers } = await post('/v1/messages', { ...ANTHROPIC_HEADERS, 'x-mock-fault': 'empty-stream' }, STREAM_BODY);
    assert.equal(status, 200);
    assert.match(String(headers['content-type']), /text\/event-stream/);
    assert.equal(text, '');
  });

  test('slow-drip spaces frames by delayMs', async () => {
    const started = performance.now();
    const { text } = await post(
      '/v1/messages',
      { ...ANTHROPIC_HEADERS, 'x-mock-fault': 'slow-drip', 'x-mock-delay-ms': '15', 'x-mock-chunks': '2' },
      STREAM_BODY,
    );
    const elapsed = performance.now() - started;
    const frames = text.split('\n\n').filter(Boolean).length; // start, block start, ping, 2 deltas, stop, delta, stop = 8
    assert.equal(frames, 8);
    assert.ok(elapsed >= 15 * frames * 0.9, `took ${elapsed} ms`);
  });

  test('a client abort during hang-after-headers closes the upstream socket', async () => {
    const controller = new AbortController();
    const response = await request(`${mock.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...OPENAI_HEADERS, 'x-mock-fault': 'hang-after-headers' },
      body: STREAM_BODY,
      signal: controller.signal,
    });
    assert.equal(response.statusCode, 200);
    const call = mock.calls.at(-1);
    assert.ok(call);
    assert.equal(call.isSocketClosed, false);
    controller.abort();
    await response.body.text().catch(() => undefined);
    await call.socketClosed;
    assert.equal(call.isSocketClosed, true);
    assert.equal(await call.outcome, 'client-closed');
  });

  test('a client abort during hang-before-headers ends the hang', async () => {
    const controller = new AbortController();
    const pending = post('/v1/messages', { ...ANTHROPIC_HEADERS, 'x-mock-fault': 'hang-before-headers' }, STREAM_BODY, controller.signal);
    while (mock.calls.at(-1)?.script?.fault !== 'hang-before-headers') await new Promise((resolve) => setTimeout(resolve, 5));
    const call = mock.calls.at(-1);
    controller.abort();
    await assert.rejects(pending);
    assert.equal(await call?.outcome, 'client-closed');
  });

  test('close() does not wait for hung sockets', async () => {
    const own = await startMockUpstream();
    const pending = request(`${own.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...OPENAI_HEADERS, 'x-mock-fault': 'hang-before-headers' },
      body: STREAM_BODY,
    }).catch((error: unknown) => error);
    while (own.calls.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const started = performance.now();
    await own.close();
    assert.ok(performance.now() - started < 1000);
    assert.ok((await pending) instanceof Error);
  });

  test('enqueued scripts are consumed in order and win over headers', async () => {
    mock.enqueue({ fault: 'status', status: 429 }, { scenario: 'tool-calls', fault: 'none' });
    const first = await post('/api/v1/chat/completions', { ...OPENAI_HEADERS, 'x-mock-fault': 'empty-stream' }, STREAM_BODY);
    assert.equal(first.status, 429);
    assert.deepEqual(JSON.parse(first.text), {
      error: { code: 429, message: 'Mock upstream: rate limit reached, retry later.', metadata: { provider_name: 'Mock' } },
    });
    const second = await post('/api/v1/chat/completions', OPENAI_HEADERS, STREAM_BODY);
    assert.match(second.text, /"tool_calls"/);
    const third = await post('/api/v1/chat/completions', OPENAI_HEADERS, STREAM_BODY);
    assert.doesNotMatch(third.text, /"tool_calls"/);
  });

  test('setDefaults applies to every later request until reset', async () => {
    mock.setDefaults({ fault: 'status', status: 429 });
    for (let attempt = 0; attempt < 3; attempt++) {
      assert.equal((await post('/v1/chat/completions', OPENAI_HEADERS, STREAM_BODY)).status, 429);
    }
    mock.reset();
    assert.equal((await post('/v1/chat/completions', OPENAI_HEADERS, STREAM_BODY)).status, 200);
  });

  test('bad x-mock headers and bodies without a model are 400s in the provider shape', async () => {
    const badHeader = await post('/v1/messages', { ...ANTHROPIC_HEADERS, 'x-mock-fault': 'nope' }, STREAM_BODY);
    assert.equal(badHeader.status, 400);
    assert.equal((JSON.parse(badHeader.text) as { error: { type: string } }).error.type, 'invalid_request_error');
    const noModel = await post('/v1/chat/completions', OPENAI_HEADERS, '{}');
    assert.equal(noModel.status, 400);
    const missingVersion = await post('/v1/messages', { 'x-api-key': 'k' }, STREAM_BODY);
    assert.equal(missingVersion.status, 400);
    const missingKey = await post('/api/v1/chat/completions', {}, STREAM_BODY);
    assert.equal(missingKey.status, 401);
    assert.equal((JSON.parse(missingKey.text) as { error: { code: number } }).error.code, 401);
  });

  test('reset() forgets calls and queued scripts; recordLimit caps memory', async () => {
    mock.enqueue({ fault: 'status', status: 500 });
    mock.reset();
    assert.equal(mock.calls.length, 0);
    const { status } = await post('/v1/chat/completions', OPENAI_HEADERS, STREAM_BODY);
    assert.equal(status, 200);
    const limited = await startMockUpstream({ recordLimit: 2 });
    try {
      for (let index = 0; index < 3; index++) {
        const response = await request(`${limited.url}/v1/models`, { headers: OPENAI_HEADERS });
        await response.body.text();
      }
      assert.deepEqual(limited.calls.map((call) => call.index), [2, 3]);
    } finally {
      await limited.close();
    }
  });
});
