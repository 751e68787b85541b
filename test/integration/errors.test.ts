import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { eventually, startGatewayWithMock, TEST_KEYS, type GatewayUnderTest } from '../helpers/gateway.js';

async function post(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, headers: response.headers, body: (await response.json()) as { error: { message: string; type: string; code: string } } };
}

describe('errors in OpenAI\'s shape, with stable codes', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['openrouter']);
  });
  after(async () => {
    await env.close();
  });

  it('malformed JSON → 400 invalid_json', async () => {
    const result = await post(`${env.url}/v1/chat/completions`, '{"model": "kilo/auto", ');
    assert.equal(result.status, 400);
    assert.equal(result.body.error.code, 'invalid_json');
    assert.equal(result.body.error.type, 'invalid_request_error');
    assert.ok(result.headers.get('x-automodel-request-id'));
  });

  it('missing messages → 400 invalid_request', async () => {
    const result = await post(`${env.url}/v1/chat/completions`, JSON.stringify({ model: 'kilo/auto' }));
    assert.equal(result.status, 400);
    assert.equal(result.body.error.code, 'invalid_request');
    assert.match(result.body.error.message, /messages/);
  });

  it('unknown model → 404 model_not_found', async () => {
    const result = await post(`${env.url}/v1/chat/completions`, JSON.stringify({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(result.status, 404);
    assert.equal(result.body.error.code, 'model_not_found');
  });

  it('a body over the limit → 413 body_too_large, and the process lives on', async () => {
    const big = JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x'.repeat(11 * 1024 * 1024) }] });
    const result = await post(`${env.url}/v1/chat/completions`, big);
    assert.equal(result.status, 413);
    assert.equal(result.body.error.code, 'body_too_large');
    const health = await fetch(`${env.url}/healthz`);
    assert.equal(health.status, 200);
  });

  it('an upstream error → the upstream status with its message, through the SDK\'s error classes', async () => {
    env.mock.enqueue({ fault: 'status', status: 400, errorMessage: 'max_tokens is too large for this model' });
    const client = new OpenAI({ baseURL: `${env.url}/v1`, apiKey: 'x', maxRetries: 0 });
    await assert.rejects(client.chat.completions.create({ model: 'kilo/auto', messages: [{ role: 'user', content: 'hi' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError);
      assert.equal(error.status, 400);
      assert.match(error.message, /max_tokens is too large/);
      return true;
    });
  });

  it('an upstream 429 asking for a longer wait than the cap → 429 with retry-after passed on, not retried', async () => {
    env.mock.enqueue({ fault: 'status', status: 429, retryAfterSeconds: 30 });
    const callsBefore = env.mock.calls.length;
    const result = await post(`${env.url}/v1/chat/completions`, JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(result.status, 429);
    assert.equal(result.body.error.code, 'upstream_rate_limited');
    assert.equal(result.headers.get('retry-after'), '30');
    assert.equal(env.mock.calls.length - callsBefore, 1);
  });

  it('an upstream 429 with a short retry-after is retried and served', async () => {
    env.mock.enqueue({ fault: 'status', status: 429, retryAfterSeconds: 1 });
    const result = await fetch(`${env.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x' }] }),
    });
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('x-automodel-attempts'), '2');
  });

  it('unknown route → 404 route_not_found; wrong method → 405', async () => {
    const missing = await fetch(`${env.url}/v1/nothing`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'route_not_found');
    const wrongMethod = await fetch(`${env.url}/v1/chat/completions`);
    assert.equal(wrongMethod.status, 405);
  });

  it('never shows the upstream key in an error body, header or record', async () => {
    env.mock.enqueue({ fault: 'status', status: 500 }, { fault: 'status', status: 500 }, { fault: 'status', status: 500 });
    const result = await fetch(`${env.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x' }] }),
    });
    const text = await result.text();
    const headers = JSON.stringify([...result.headers]);
    assert.ok(!text.includes(TEST_KEYS.openrouter) && !headers.includes(TEST_KEYS.openrouter));
    await eventually(() => env.records.some((record) => record.status === 500));
    assert.ok(!JSON.stringify(env.records).includes(TEST_KEYS.openrouter));
  });

  it('a client that goes away mid-stream aborts the upstream request and is recorded as aborted', async () => {
    env.mock.enqueue({ fault: 'slow-drip', delayMs: 100, chunks: 50 });
    const controller = new AbortController();
    const callsBefore = env.mock.calls.length;
    const response = await fetch(`${env.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x' }], stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const call = env.mock.calls[callsBefore]!;
    await Promise.race([call.socketClosed, new Promise((_, reject) => setTimeout(() => reject(new Error('upstream socket still open')), 2000))]);
    await eventually(() => env.records.some((record) => record.aborted));
  });
});

describe('with no provider configured', () => {
  let gateway: RunningGateway;
  before(async () => {
    gateway = await startGateway({ port: 0, env: {}, logger: pino({ level: 'silent' }) });
  });
  after(async () => {
    await gateway.close();
  });

  it('starts, lists models, and answers 503 no_provider naming the variables to set', async () => {
    const models = await fetch(`${gateway.url}/v1/models`);
    assert.equal(models.status, 200);
    const result = await post(`${gateway.url}/v1/chat/completions`, JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x' }] }));
    assert.equal(result.status, 503);
    assert.equal(result.body.error.code, 'no_provider');
    assert.match(result.body.error.message, /OPENROUTER_API_KEY/);
  });
});
