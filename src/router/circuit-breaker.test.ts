import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreakers } from './circuit-breaker.js';
import { canFallBack, classifyError, classifyStatus, isRetryable } from './classify-failure.js';
import { nextRetryDelay, retryAfterMs, DEFAULT_RETRY_POLICY } from './retry-policy.js';

describe('circuit breaker', () => {
  const policy = { failureThreshold: 3, cooldownMs: 1000 };
  it('opens after consecutive failures, skips while open, lets one probe through when half-open', () => {
    const breakers = new CircuitBreakers(policy);
    for (let at = 0; at < 3; at++) breakers.failure('a', at, 'server', at);
    assert.equal(breakers.state('a', 10), 'open');
    assert.equal(breakers.admit('a', 500), false);
    assert.equal(breakers.admit('a', 1003), true, 'the probe');
    assert.equal(breakers.admit('a', 1004), false, 'only one probe at a time');
    breakers.failure('a', 1005, 'server', 1003);
    assert.equal(breakers.state('a', 1006), 'open', 'a failed probe opens it again');
    assert.equal(breakers.admit('a', 2006), true);
    breakers.success('a', 2010, 5);
    assert.equal(breakers.state('a', 2011), 'closed');
  });
  it('does not count failures of attempts that started before the last success (batched timeouts)', () => {
    const breakers = new CircuitBreakers(policy);
    breakers.success('a', 100, 5);
    for (let index = 0; index < 10; index++) breakers.failure('a', 101, 'timeout', 50);
    assert.equal(breakers.state('a', 102), 'closed');
    assert.ok(breakers.snapshot(102)[0]!.recentFailures > 9, 'they still count in the error rate');
    for (let index = 0; index < 3; index++) breakers.failure('a', 103, 'timeout', 102);
    assert.equal(breakers.state('a', 104), 'open');
  });
});

describe('failure classes', () => {
  it('maps statuses', () => {
    assert.deepEqual([429, 529, 500, 503, 408, 409, 401, 403, 400, 404, 422].map(classifyStatus), [
      'rate-limit', 'overloaded', 'server', 'server', 'server', 'server', 'auth', 'auth', 'client', 'client', 'client',
    ]);
  });
  it('maps transport errors by their stable codes, also on cause', () => {
    assert.equal(classifyError({ code: 'UND_ERR_HEADERS_TIMEOUT' }), 'timeout');
    assert.equal(classifyError({ code: 'UND_ERR_CONNECT_TIMEOUT' }), 'timeout');
    assert.equal(classifyError({ cause: { code: 'ECONNREFUSED' } }), 'network');
    assert.equal(classifyError({ name: 'AbortError' }), 'aborted');
  });
  it('a refused key falls back to the next provider but is not retried; a client error does neither', () => {
    assert.deepEqual([canFallBack('auth'), isRetryable('auth')], [true, false]);
    assert.deepEqual([canFallBack('client'), isRetryable('client')], [false, false]);
    assert.deepEqual([canFallBack('overloaded'), isRetryable('overloaded')], [true, true]);
  });
});

describe('retry policy', () => {
  it('reads retry-after-ms, retry-after seconds and HTTP dates', () => {
    assert.equal(retryAfterMs({ 'retry-after-ms': '1500' }, 0), 1500);
    assert.equal(retryAfterMs({ 'retry-after': '2' }, 0), 2000);
    assert.equal(retryAfterMs({ 'retry-after': new Date(10_000).toUTCString() }, 4_000), 6000);
    assert.equal(retryAfterMs({}, 0), null);
  });
  it('backs off exponentially with jitter, honours retry-after up to the cap, and stops in time', () => {
    const half = () => 0.5;
    assert.equal(nextRetryDelay(DEFAULT_RETRY_POLICY, 1, 0, null, half), 187.5);
    assert.equal(nextRetryDelay(DEFAULT_RETRY_POLICY, 2, 0, null, half), 375);
    assert.equal(nextRetryDelay(DEFAULT_RETRY_POLICY, 1, 0, 3000, half), 3000);
    assert.equal(nextRetryDelay(DEFAULT_RETRY_POLICY, 1, 0, 30_000, half), null, 'a wait over the cap is not taken');
    assert.equal(nextRetryDelay(DEFAULT_RETRY_POLICY, 3, 0, null, half), null, 'out of retries');
    assert.equal(nextRetryDelay(DEFAULT_RETRY_POLICY, 1, 59_900, null, half), null, 'out of time');
  });
});
