import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeRecord, makeSparseRecord } from '../../test/usage/fixtures.js';
import { createMetrics } from './registry.js';

/** The value of one sample line, e.g. `automodel_tokens_total{model="x",type="input"}`. */
function sample(body: string, prefix: string): number | undefined {
  const line = body.split('\n').find((candidate) => candidate.startsWith(prefix + ' '));
  return line === undefined ? undefined : Number(line.slice(prefix.length + 1));
}

describe('createMetrics', () => {
  it('counts requests, tokens, cost, baseline, latency and attempts', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.observe(makeRecord({ mode: 'Code', costUsd: 0.25, baselineCostUsd: 1, inputTokens: 100, outputTokens: 10, ttfbMs: 40, durationMs: 700 }));
    metrics.observe(makeRecord({ mode: 'code', costUsd: 0.5, baselineCostUsd: 2, inputTokens: 50, outputTokens: 5, ttfbMs: 60, durationMs: 900 }));
    metrics.observe(makeSparseRecord({ route: '/v1/chat/completions' }));
    metrics.attempt('anthropic', 'claude-sonnet-4-5-20250929', 'overloaded');
    metrics.attempt('anthropic', 'anthropic/claude-sonnet-4.5', null);
    metrics.streamOpened();
    metrics.streamOpened();
    metrics.streamClosed();
    metrics.usageBatchCommitted(12, 1.5);
    const { contentType, body } = await metrics.render();
    assert.match(contentType, /^text\/plain/);
    const labels = 'route="/v1/messages",mode="code",tier="implementation",model="claude-sonnet-4-5",status="200"';
    assert.equal(sample(body, `automodel_requests_total{${labels}}`), 2);
    assert.equal(
      sample(body, 'automodel_requests_total{route="/v1/chat/completions",mode="none",tier="none",model="none",status="502"}'),
      1,
    );
    assert.equal(sample(body, 'automodel_requests_aborted_total{route="/v1/chat/completions"}'), 1);
    assert.equal(sample(body, 'automodel_tokens_total{model="claude-sonnet-4-5",type="input"}'), 150);
    assert.equal(sample(body, 'automodel_tokens_total{model="claude-sonnet-4-5",type="output"}'), 15);
    assert.equal(sample(body, 'automodel_cost_usd_total{model="claude-sonnet-4-5",mode="code"}'), 0.75);
    assert.equal(sample(body, 'automodel_baseline_cost_usd_total{model="claude-sonnet-4-5",mode="code"}'), 3);
    assert.equal(sample(body, 'automodel_unpriced_requests_total{model="none"}'), 1);
    assert.equal(sample(body, 'automodel_time_to_first_byte_seconds_bucket{le="0.05",route="/v1/messages",tier="implementation",streamed="true"}'), 1);
    assert.equal(sample(body, 'automodel_request_duration_seconds_count{route="/v1/messages",tier="implementation",streamed="true"}'), 2);
    // Buckets are cumulative, +Inf holds every observation, and the sum is exact.
    const durationSeries = 'route="/v1/messages",tier="implementation",streamed="true"';
    assert.equal(sample(body, `automodel_request_duration_seconds_bucket{le="0.5",${durationSeries}}`), 0);
    assert.equal(sample(body, `automodel_request_duration_seconds_bucket{le="1",${durationSeries}}`), 2);
    assert.equal(sample(body, `automodel_request_duration_seconds_bucket{le="+Inf",${durationSeries}}`), 2);
    assert.ok(Math.abs(sample(body, `automodel_request_duration_seconds_sum{${durationSeries}}`)! - 1.6) < 1e-9);
    assert.equal(sample(body, `automodel_time_to_first_byte_seconds_bucket{le="0.025",${durationSeries}}`), 0);
    assert.equal(sample(body, `automodel_time_to_first_byte_seconds_bucket{le="0.1",${durationSeries}}`), 2);
    assert.equal(sample(body, 'automodel_upstream_attempts_total{provider="anthropic",model="claude-sonnet-4-5",outcome="overloaded"}'), 1);
    assert.equal(sample(body, 'automodel_upstream_attempts_total{provider="anthropic",model="claude-sonnet-4-5",outcome="success"}'), 1);
    assert.equal(sample(body, 'automodel_streams_in_flight'), 1);
    assert.equal(sample(body, 'automodel_usage_store_batch_records_sum'), 12);
    // Counters are handed to prom-client at each scrape: a second scrape shows the same totals, a later request adds.
    assert.equal(sample((await metrics.render()).body, `automodel_requests_total{${labels}}`), 2);
    metrics.observe(makeRecord({ mode: 'code', costUsd: 0.25, baselineCostUsd: 1, inputTokens: 1, outputTokens: 1 }));
    const third = (await metrics.render()).body;
    assert.equal(sample(third, `automodel_requests_total{${labels}}`), 3);
    assert.equal(sample(third, 'automodel_cost_usd_total{model="claude-sonnet-4-5",mode="code"}'), 1);
    assert.equal(sample(third, 'automodel_tokens_total{model="claude-sonnet-4-5",type="input"}'), 151);
  });

  it('keeps label cardinality bounded whatever the traffic', async () => {
    const metrics = createMetrics({ processMetrics: false, knownProviders: ['provider-1', 'provider-2'] });
    for (let index = 0; index < 500; index += 1) {
      metrics.observe(makeRecord({ mode: `custom-${index}`, servedModel: `model-${index}`, tier: `tier-${index}`, route: `/x/${index}`, status: index }));
      metrics.attempt(`provider-${index}`, `model-${index}`, `class-${index}`);
    }
    const { body } = await metrics.render();
    const series = body.split('\n').filter((line) => line.startsWith('automodel_requests_total{'));
    // Statuses 0–499: 10 exact codes, the classes 1xx–4xx and `other`.
    assert.ok(series.length <= 20, `${series.length} series`);
    assert.ok(series.every((line) => line.includes('mode="custom"') && line.includes('model="other"') && line.includes('route="other"')));
    const attemptSeries = body.split('\n').filter((line) => line.startsWith('automodel_upstream_attempts_total{'));
    // provider-1, provider-2 and other; outcome always `other`.
    assert.equal(attemptSeries.length, 3);
  });

  it('never exposes ids, client names, reasons, detail or model names it does not know', async () => {
    const secret = 'sk-ant-api03-SECRETSECRET';
    const metrics = createMetrics();
    metrics.observe(
      makeRecord({
        id: secret, sessionId: secret, clientName: secret, reason: secret, requestedModel: secret, servedModel: secret,
        mode: secret, tier: secret, route: `/v1/messages?key=${secret}`, errorCode: secret, detail: { authorization: secret },
      }),
    );
    metrics.attempt(secret, secret, secret);
    const { body } = await metrics.render();
    assert.ok(!body.includes('SECRET'), 'a secret reached the metrics');
  });

  it('uses a registry of its own', async () => {
    const first = createMetrics({ processMetrics: false });
    const second = createMetrics({ processMetrics: false });
    first.streamOpened();
    assert.equal(sample((await second.render()).body, 'automodel_streams_in_flight'), 0);
  });
});
