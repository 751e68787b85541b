import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { eventually, startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

const SEED_TABLE: Array<[string | undefined, string, string]> = [
  ['architect', 'reasoning', 'anthropic/claude-opus-4.5'],
  ['orchestrator', 'reasoning', 'anthropic/claude-opus-4.5'],
  ['ask', 'reasoning', 'anthropic/claude-opus-4.5'],
  ['plan', 'reasoning', 'anthropic/claude-opus-4.5'],
  ['general', 'reasoning', 'anthropic/claude-opus-4.5'],
  ['code', 'implementation', 'anthropic/claude-sonnet-4.5'],
  ['build', 'implementation', 'anthropic/claude-sonnet-4.5'],
  ['debug', 'implementation', 'anthropic/claude-sonnet-4.5'],
  ['explore', 'implementation', 'anthropic/claude-sonnet-4.5'],
  [undefined, 'implementation', 'anthropic/claude-sonnet-4.5'],
  ['some-custom-mode', 'implementation', 'anthropic/claude-sonnet-4.5'],
];

describe('OpenAI Chat Completions through an OpenRouter upstream, with the official openai SDK', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['openrouter']);
  });
  after(async () => {
    await env.close();
  });

  for (const baseSuffix of ['/v1', '/api/openrouter']) {
    for (const [mode, tier, model] of SEED_TABLE) {
      for (const stream of [false, true]) {
        it(`${baseSuffix} mode=${mode ?? '(none)'} stream=${stream} → ${model}`, async () => {
          const client = new OpenAI({
            baseURL: `${env.url}${baseSuffix}`,
            apiKey: 'client-key',
            defaultHeaders: mode ? { 'x-kilocode-mode': mode } : {},
            maxRetries: 0,
          });
          const callsBefore = env.mock.calls.length;
          if (stream) {
            const { data, response } = await client.chat.completions
              .create({ model: 'kilo/auto', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } })
              .withResponse();
            assert.equal(response.headers.get('x-automodel-model'), model);
            assert.equal(response.headers.get('x-automodel-tier'), tier);
            assert.equal(response.headers.get('x-automodel-mode-source'), mode ? 'header' : 'default');
            let text = '';
            let usage: OpenAI.CompletionUsage | undefined;
            for await (const chunk of data) {
              assert.equal(chunk.model, model);
              text += chunk.choices[0]?.delta.content ?? '';
              if (chunk.usage) usage = chunk.usage;
            }
            assert.ok(text.length > 0);
            assert.ok(usage, 'usage chunk forwarded');
            assert.equal(typeof (usage as unknown as { cost: number }).cost, 'number');
          } else {
            const { data, response } = await client.chat.completions
              .create({ model: 'kilo/auto', messages: [{ role: 'user', content: 'hi' }] })
              .withResponse();
            assert.equal(data.model, model);
            assert.equal(response.headers.get('x-automodel-model'), model);
            assert.equal(response.headers.get('x-automodel-tier'), tier);
            assert.equal(response.headers.get('x-automodel-mode'), mode ?? 'none');
            assert.match(response.headers.get('x-automodel-request-id') ?? '', /^[0-9a-f-]{36}$/);
          }
          const call = env.mock.calls[callsBefore]!;
          assert.equal((call.body as { model: string }).model, model);
          assert.equal(call.headers.authorization, 'Bearer sk-or-test-secret-0123456789');
        });
      }
    }
  }

  it('passes unknown fields through, drops Kilo\'s client-only `description`, and asks a stream for usage', async () => {
    const callsBefore = env.mock.calls.length;
    const response = await fetch(`${env.url}/api/openrouter/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'code' },
      body: JSON.stringify({
        model: 'kilo/auto',
        messages: [{ role: 'user', content: 'hi' }],
        description: 'kilo task',
        provider: { sort: 'throughput' },
        transforms: ['middle-out'],
        stream: true,
      }),
    });
    const text = await response.text();
    const body = env.mock.calls[callsBefore]!.body as Record<string, unknown>;
    assert.equal(body.description, undefined);
    assert.deepEqual(body.provider, { sort: 'throughput' });
    assert.deepEqual(body.transforms, ['middle-out']);
    assert.deepEqual(body.stream_options, { include_usage: true });
    // The client did not ask for usage: the usage-only chunk is not sent to it, but it is counted.
    assert.ok(!text.includes('"choices":[]'), 'usage-only chunk hidden');
    assert.ok(text.trimEnd().endsWith('data: [DONE]'));
    await eventually(() => env.records.some((record) => record.outputTokens !== null && record.streamed && record.mode === 'code'));
  });

  it('records tokens, cost and the savings baseline for each request', async () => {
    env.records.length = 0;
    const client = new OpenAI({ baseURL: `${env.url}/v1`, apiKey: 'x', defaultHeaders: { 'x-kilocode-mode': 'code' }, maxRetries: 0 });
    env.mock.enqueue({ usage: { input: 1000, output: 500, cacheRead: 2000, cacheWrite: 100, cost: 0.0123 } });
    await client.chat.completions.create({ model: 'kilo/auto', messages: [{ role: 'user', content: 'hi' }] });
    await eventually(() => env.records.length === 1);
    const record = env.records[0]!;
    assert.equal(record.inputTokens, 3100);
    assert.equal(record.outputTokens, 500);
    assert.equal(record.cacheReadTokens, 2000);
    assert.equal(record.cacheWriteTokens, 100);
    assert.equal(record.costUsd, 0.0123);
    assert.equal(record.costSource, 'upstream');
    // Baseline: the same tokens at Opus 4.5 prices: 1000*5 + 500*25 + 2000*0.5 + 100*6.25 per million.
    assert.equal(record.baselineCostUsd, (1000 * 5 + 500 * 25 + 2000 * 0.5 + 100 * 6.25) / 1e6);
    assert.equal(record.servedModel, 'claude-sonnet-4-5');
    assert.equal(record.provider, 'openrouter');
    assert.equal(record.tier, 'implementation');
  });
});

describe('OpenAI Chat Completions through an OpenAI-compatible upstream: cost from the catalog', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['openai']);
  });
  after(async () => {
    await env.close();
  });

  it('adds usage.cost computed from catalog prices, in JSON and in the stream', async () => {
    const client = new OpenAI({ baseURL: `${env.url}/v1`, apiKey: 'x', defaultHeaders: { 'x-kilocode-mode': 'plan' }, maxRetries: 0 });
    const usage = { input: 1000, output: 200, cacheRead: 4000, cacheWrite: 0 };
    // Opus 4.5: $5 in, $25 out, $0.50 cache read per million.
    const expected = (1000 * 5 + 200 * 25 + 4000 * 0.5) / 1e6;
    env.mock.enqueue({ usage }, { usage });
    const json = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(json.model, 'claude-opus-4-5');
    assert.equal((json.usage as unknown as { cost: number }).cost, expected);
    const stream = await client.chat.completions.create({
      model: 'auto',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let streamedCost: number | undefined;
    for await (const chunk of stream) if (chunk.usage) streamedCost = (chunk.usage as unknown as { cost: number }).cost;
    assert.equal(streamedCost, expected);
    await eventually(() => env.records.length === 2);
    assert.deepEqual(
      env.records.map((record) => [record.costUsd, record.costSource]),
      [
        [expected, 'catalog'],
        [expected, 'catalog'],
      ],
    );
  });
});
