import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { MockScript } from '../mock-upstream/index.js';
import { eventually, startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

/** Short timeouts so hangs are detected in a test's time; the retry waits themselves are instant (injected sleep). */
const TIMEOUTS = { connectMs: 1000, firstByteMs: 400, streamFirstByteMs: 400, idleMs: 400 };

type ClientKind = 'openai' | 'anthropic';

function requestFor(client: ClientKind, stream: boolean): { path: string; body: string } {
  if (client === 'openai') {
    return { path: '/v1/chat/completions', body: JSON.stringify({ model: 'kilo/auto', stream, messages: [{ role: 'user', content: 'hi' }] }) };
  }
  return { path: '/v1/messages', body: JSON.stringify({ model: 'kilo/auto', stream, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }) };
}

async function send(env: GatewayUnderTest, client: ClientKind, stream: boolean) {
  const { path, body } = requestFor(client, stream);
  const response = await fetch(`${env.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-kilocode-mode': 'code' },
    body,
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** Faults that happen before the first token: the gateway must fall back to the next candidate, invisibly. */
const BEFORE_FIRST_TOKEN: Array<[string, MockScript, boolean | 'both', string]> = [
  ['500 server error', { fault: 'status', status: 500 }, 'both', 'server'],
  ['529 overloaded', { fault: 'status', status: 529 }, 'both', 'overloaded'],
  ['429 rate limited with retry-after', { fault: 'status', status: 429, retryAfterSeconds: 2 }, 'both', 'rate-limit'],
  ['hang before headers', { fault: 'hang-before-headers' }, 'both', 'timeout'],
  ['hang after headers', { fault: 'hang-after-headers' }, true, 'timeout'],
  ['empty stream', { fault: 'empty-stream' }, true, 'server'],
  ['error event before the first token', { fault: 'error-event', afterFrames: 0 }, true, 'overloaded'],
  ['malformed chunk before the first token', { fault: 'malformed-chunk', afterFrames: 0 }, true, 'server'],
  ['connection dropped before the first token', { fault: 'drop-mid-stream', afterFrames: 0 }, true, 'network'],
];

describe('fault injection: fallback across providers of the same tier', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['anthropic', 'openrouter'], {}, { timeouts: TIMEOUTS });
  });
  after(async () => {
    await env.close();
  });
  beforeEach(() => {
    env.gateway.breakers.reset();
    env.mock.reset();
    env.records.length = 0;
  });

  for (const client of ['openai', 'anthropic'] as const) {
    for (const [name, script, streams, failureClass] of BEFORE_FIRST_TOKEN) {
      for (const stream of streams === 'both' ? [false, true] : [streams]) {
        it(`${client} client, stream=${stream}: ${name} → served by the fallback`, async () => {
          env.mock.enqueue(script.fault === 'error-event' ? { ...script, errorType: 'overloaded_error' } : script);
          const result = await send(env, client, stream);
          assert.equal(result.status, 200, result.text);
          assert.equal(result.headers.get('x-automodel-attempts'), '2');
          assert.equal(result.headers.get('x-automodel-provider'), 'openrouter');
          assert.match(result.text, /mock/);
          assert.equal(env.mock.calls.length, 2);
          await eventually(() => env.records.length === 1);
          const record = env.records[0]!;
          assert.deepEqual(
            record.attempts.map((attempt) => [attempt.provider, attempt.failureClass]),
            [
              ['anthropic', failureClass],
              ['openrouter', null],
            ],
          );
          assert.equal(record.status, 200);
          assert.equal(record.outputTokens, 20);
        });
      }
    }

    it(`${client} client: a 400 from the upstream is not retried or fallen back from`, async () => {
      env.mock.enqueue({ fault: 'status', status: 400 });
      const result = await send(env, client, false);
      assert.equal(result.status, 400);
      assert.equal(env.mock.calls.length, 1);
    });

    it(`${client} client, stream: a drop after the first token ends the stream with a protocol error event and records it`, async () => {
      env.mock.enqueue({ fault: 'drop-mid-stream', afterFrames: 6 });
      const result = await send(env, client, true);
      assert.equal(result.status, 200);
      assert.equal(env.mock.calls.length, 1);
      if (client === 'openai') assert.match(result.text, /data: \{"error":\{[^\n]*"code":"upstream_unreachable"/);
      else assert.match(result.text, /event: error\ndata: \{"type":"error"/);
      await eventually(() => env.records.length === 1);
      assert.equal(env.records[0]!.errorCode, 'upstream_unreachable');
    });

    it(`${client} client, stream: a stall after the first token is ended by the idle timeout, with an error event`, async () => {
      env.mock.enqueue({ fault: 'stall-mid-stream', afterFrames: 6 });
      const result = await send(env, client, true);
      assert.equal(env.mock.calls.length, 1);
      assert.match(result.text, /upstream_timeout|stalled/);
      await eventually(() => env.records.length === 1);
      assert.equal(env.records[0]!.errorCode, 'upstream_timeout');
    });

    it(`${client} client, JSON: a body that stalls half-way falls back (nothing was sent yet)`, async () => {
      env.mock.enqueue({ fault: 'stall-mid-stream', afterFrames: 0 });
      const result = await send(env, client, false);
      assert.equal(result.status, 200);
      assert.equal(result.headers.get('x-automodel-attempts'), '2');
    });

    it(`${client} client, stream: a slow drip that keeps moving is served whole`, async () => {
      env.mock.enqueue({ fault: 'slow-drip', delayMs: 20, chunks: 5 });
      const result = await send(env, client, true);
      assert.equal(env.mock.calls.length, 1);
      const delta = client === 'openai' ? /"content":"mock ?"/g : /"text":"mock ?"/g;
      assert.equal(result.text.match(delta)?.length, 5);
    });
  }
});

describe('circuit breaker', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['anthropic', 'openrouter'], {}, { timeouts: TIMEOUTS });
  });
  after(async () => {
    await env.close();
  });

  it('opens after repeated failures, skips the candidate, and shows it at /api/health/upstreams', async () => {
    for (let index = 0; index < 5; index++) {
      env.mock.enqueue({ fault: 'status', status: 500 });
      const result = await send(env, 'openai', false);
      assert.equal(result.status, 200);
    }
    const callsBefore = env.mock.calls.length;
    const result = await send(env, 'openai', false);
    assert.equal(result.status, 200);
    assert.equal(result.headers.get('x-automodel-attempts'), '1');
    assert.equal(env.mock.calls.length - callsBefore, 1);
    assert.ok(env.mock.calls.at(-1)!.path.endsWith('/chat/completions'), 'went straight to OpenRouter');
    const health = (await (await fetch(`${env.url}/api/health/upstreams`)).json()) as { upstreams: Array<{ key: string; state: string; errorRate: number }> };
    const anthropic = health.upstreams.find((entry) => entry.key === 'anthropic:claude-sonnet-4-5')!;
    assert.equal(anthropic.state, 'open');
    assert.ok(anthropic.errorRate > 0);
    assert.equal(health.upstreams.find((entry) => entry.key === 'openrouter:anthropic/claude-sonnet-4.5')!.state, 'closed');
    assert.ok(!JSON.stringify(health).includes('secret'));
  });
});
