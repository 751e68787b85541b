import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

/** Catalog prices, USD per million tokens (src/catalog/models.ts). */
const PRICES = {
  'claude-opus-4-5': { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
  'claude-sonnet-4-5': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
} as const;
type Model = keyof typeof PRICES;

interface Usage {
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

/** `input` is the uncached part, as the mock takes it; cache reads and writes are billed at their own prices. */
function price(model: Model, usage: Usage): number {
  const p = PRICES[model];
  return (usage.input * p.input + usage.output * p.output + usage.cacheRead * p.cacheRead + usage.cacheWrite * p.cacheWrite) / 1e6;
}

interface Case {
  client: 'openai' | 'anthropic';
  mode: string | null;
  stream: boolean;
  usage: Usage;
  model: Model;
}

/** A scripted mix: both client protocols, JSON and SSE, every tier, cache reads and writes. */
const MIX: Case[] = [
  { client: 'openai', mode: 'plan', stream: false, usage: { input: 1200, output: 300, cacheRead: 8000, cacheWrite: 0 }, model: 'claude-opus-4-5' },
  { client: 'openai', mode: 'code', stream: true, usage: { input: 900, output: 450, cacheRead: 12000, cacheWrite: 2000 }, model: 'claude-sonnet-4-5' },
  { client: 'anthropic', mode: 'architect', stream: true, usage: { input: 3000, output: 800, cacheRead: 0, cacheWrite: 15000 }, model: 'claude-opus-4-5' },
  { client: 'anthropic', mode: 'debug', stream: false, usage: { input: 400, output: 120, cacheRead: 20000, cacheWrite: 100 }, model: 'claude-sonnet-4-5' },
  { client: 'openai', mode: null, stream: true, usage: { input: 50, output: 10, cacheRead: 0, cacheWrite: 0 }, model: 'claude-sonnet-4-5' },
  { client: 'anthropic', mode: 'ask', stream: false, usage: { input: 700, output: 650, cacheRead: 4000, cacheWrite: 0 }, model: 'claude-opus-4-5' },
  { client: 'openai', mode: 'explore', stream: false, usage: { input: 2500, output: 90, cacheRead: 30000, cacheWrite: 500 }, model: 'claude-sonnet-4-5' },
];

describe('cost accounting over a scripted mix: stored tokens and costs equal the upstream usage at catalog prices', () => {
  let env: GatewayUnderTest;
  before(async () => {
    // Anthropic upstream for both clients: it reports no cost of its own, so every figure is the catalog's.
    env = await startGatewayWithMock(['anthropic']);
  });
  after(async () => {
    await env.close();
  });

  it('per request, per mode and in total, to the cent; savings = baseline - cost', async () => {
    for (const entry of MIX) {
      env.mock.enqueue({ usage: entry.usage });
      const path = entry.client === 'openai' ? '/v1/chat/completions' : '/v1/messages';
      const body =
        entry.client === 'openai'
          ? { model: 'kilo/auto', stream: entry.stream, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] }
          : { model: 'kilo/auto', stream: entry.stream, max_tokens: 1000, messages: [{ role: 'user', content: 'hi' }] };
      const response = await fetch(`${env.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...(entry.mode ? { 'x-kilocode-mode': entry.mode } : {}) },
        body: JSON.stringify(body),
      });
      assert.equal(response.status, 200);
      await response.text();
    }
    assert.equal(env.records.length, MIX.length);
    let expectedCost = 0;
    let expectedBaseline = 0;
    for (const [index, entry] of MIX.entries()) {
      const record = env.records[index]!;
      const cost = price(entry.model, entry.usage);
      const baseline = price('claude-opus-4-5', entry.usage);
      expectedCost += cost;
      expectedBaseline += baseline;
      assert.equal(record.servedModel, entry.model, `request ${index}`);
      assert.equal(record.inputTokens, entry.usage.input + entry.usage.cacheRead + entry.usage.cacheWrite);
      assert.equal(record.outputTokens, entry.usage.output);
      assert.equal(record.cacheReadTokens, entry.usage.cacheRead);
      assert.equal(record.cacheWriteTokens, entry.usage.cacheWrite);
      assert.equal(record.costSource, 'catalog');
      assert.ok(Math.abs(record.costUsd! - cost) < 1e-9, `request ${index}: ${record.costUsd} vs ${cost}`);
      assert.ok(Math.abs(record.baselineCostUsd! - baseline) < 1e-9);
    }
    const summary = (await (await fetch(`${env.url}/api/usage?since=1h&by=mode`)).json()) as {
      rows: Array<{ key: string | null; requests: number; costUsd: number; baselineCostUsd: number; savingsUsd: number }>;
      total: { requests: number; costUsd: number; baselineCostUsd: number; savingsUsd: number; savingsPct: number };
    };
    const cents = (value: number) => Math.round(value * 100);
    assert.equal(summary.total.requests, MIX.length);
    assert.equal(cents(summary.total.costUsd), cents(expectedCost));
    assert.equal(cents(summary.total.baselineCostUsd), cents(expectedBaseline));
    assert.equal(cents(summary.total.savingsUsd), cents(expectedBaseline - expectedCost));
    assert.ok(Math.abs(summary.total.savingsUsd - (summary.total.baselineCostUsd - summary.total.costUsd)) < 1e-6);
    for (const row of summary.rows) {
      const entries = MIX.filter((entry) => entry.mode === row.key);
      assert.equal(row.requests, entries.length, `mode ${row.key}`);
      const cost = entries.reduce((sum, entry) => sum + price(entry.model, entry.usage), 0);
      assert.ok(Math.abs(row.costUsd - cost) < 1e-6, `mode ${row.key}: ${row.costUsd} vs ${cost}`);
    }
  });
});

describe('cost accounting when the upstream reports the cost (OpenRouter usage.cost)', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['openrouter']);
  });
  after(async () => {
    await env.close();
  });

  const ask = async (mode: string, cost: number, model = 'kilo/auto'): Promise<void> => {
    env.mock.enqueue({ usage: { input: 1000, output: 200, cost } });
    const response = await fetch(`${env.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kilocode-mode': mode },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
    });
    assert.equal(response.status, 200);
    await response.text();
  };

  it('a request the baseline model served saves nothing: its baseline is its own cost, not a re-pricing at list prices', async () => {
    // The upstream charged less than the catalog's list price (a discount): 1000 in + 200 out on Opus lists at $0.01.
    await ask('plan', 0.0071);
    const record = env.records.at(-1)!;
    assert.equal(record.servedModel, 'claude-opus-4-5');
    assert.equal(record.costSource, 'upstream');
    assert.equal(record.costUsd, 0.0071);
    assert.equal(record.baselineCostUsd, 0.0071);
  });

  it('a request routed to another model keeps a list-price baseline for the reasoning model', async () => {
    await ask('code', 0.0061);
    const record = env.records.at(-1)!;
    assert.equal(record.servedModel, 'claude-sonnet-4-5');
    assert.equal(record.costUsd, 0.0061);
    assert.ok(Math.abs(record.baselineCostUsd! - price('claude-opus-4-5', { input: 1000, output: 200, cacheRead: 0, cacheWrite: 0 })) < 1e-12);
  });

  it('a model outside the catalog, asked for by name, has no baseline: no known model to compare it with', async () => {
    await ask('code', 0.0042, 'vendor/model-outside-the-catalog');
    const record = env.records.at(-1)!;
    assert.equal(record.servedModel, 'vendor/model-outside-the-catalog');
    assert.equal(record.costUsd, 0.0042);
    assert.equal(record.baselineCostUsd, null);
  });
});
