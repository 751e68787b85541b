/**
 * Gateway bug (found by the soak): a mostly healthy upstream gets its circuit opened under load when a few of its calls
 * hang. undici delivers header timeouts on its fast timers, which tick every ~500 ms, so every hang of the last tick
 * fails in the same millisecond; the breaker counts *consecutive* failures in the order they are reported, sees a run
 * of them with no success in between, and opens, although 90 % of calls to that upstream succeed.
 *
 * It failed before the breaker ignored failures of attempts that started before the last success.
 * Proposed fix (src/router/circuit-breaker.ts + src/server/attempts.ts): pass the attempt's start time to `failure()`
 * and do not count, toward `consecutiveFailures`, a failure of an attempt that started before the last success (it
 * says nothing the success did not already contradict); or open on a failure *ratio* over a window with a minimum
 * volume instead of a consecutive count.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';
import { createClientPool, runBurst, succeeded } from './load-client.js';

const ANTHROPIC_KEY = 'anthropic:claude-sonnet-4-5';

describe('circuit breaker under load with batched timeouts', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  before(async () => {
    let anthropicCalls = 0;
    // One Anthropic call in ten hangs before its headers; every other call of both providers answers at once.
    mock = await startMockUpstream({
      recordLimit: 0,
      scriptFor: ({ flavour }) => (flavour === 'anthropic' && ++anthropicCalls % 10 === 0 ? { fault: 'hang-before-headers' } : undefined),
    });
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      env: {
        AUTOMODEL_DB: ':memory:',
        ANTHROPIC_API_KEY: 'sk-ant-breaker-0123456789',
        ANTHROPIC_BASE_URL: mock.url,
        OPENROUTER_API_KEY: 'sk-or-breaker-0123456789',
        OPENROUTER_BASE_URL: `${mock.url}/api/v1`,
      },
      logger: pino({ level: 'silent' }),
      timeouts: { connectMs: 1_000, firstByteMs: 200, streamFirstByteMs: 200, idleMs: 2_000 },
    });
  });
  after(async () => {
    await gateway.close();
    await mock.close();
  });

  it('does not open the circuit of an upstream that answers 90 % of calls', async (context) => {
    let opened = 0;
    const poll = setInterval(() => {
      const health = gateway.breakers.snapshot(Date.now()).find((entry) => entry.key === ANTHROPIC_KEY);
      if (health && health.state !== 'closed') opened += 1;
    }, 10);
    const dispatcher = createClientPool(32);
    try {
      const outcomes = await runBurst({ baseUrl: gateway.url, total: 1_500, concurrency: 32, kindOf: () => 'openai-sse', dispatcher });
      assert.equal(outcomes.filter((outcome) => !succeeded(outcome)).length, 0);
    } finally {
      clearInterval(poll);
      await dispatcher.close();
    }
    context.diagnostic(`anthropic circuit seen open in ${opened} polls (10 ms apart)`);
    assert.equal(opened, 0, `the circuit of a 90 %-healthy upstream opened (seen open in ${opened} polls)`);
  });
});
