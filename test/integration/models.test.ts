import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

describe('model lists and the dry-run route', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['openrouter']);
  });
  after(async () => {
    await env.close();
  });

  it('GET /v1/models lists kilo/auto and auto first, through the openai SDK', async () => {
    const client = new OpenAI({ baseURL: `${env.url}/v1`, apiKey: 'x' });
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids.slice(0, 2), ['kilo/auto', 'auto']);
    assert.ok(ids.includes('claude-opus-4-5') && ids.includes('claude-sonnet-4-5') && ids.includes('claude-haiku-4-5'));
  });

  it('GET /api/openrouter/models has the full OpenRouter entry shape the Kilo CLI requires', async () => {
    const response = await fetch(`${env.url}/api/openrouter/models`);
    const body = (await response.json()) as { data: Array<Record<string, any>> };
    assert.equal(body.data[0]!.id, 'kilo/auto');
    for (const entry of body.data) {
      for (const field of ['id', 'name', 'description', 'context_length', 'max_completion_tokens', 'pricing', 'architecture', 'top_provider', 'supported_parameters']) {
        assert.ok(entry[field] !== undefined, `${entry.id}.${field}`);
      }
      for (const price of ['prompt', 'completion', 'input_cache_read', 'input_cache_write']) {
        assert.equal(typeof entry.pricing[price], 'string', `${entry.id}.pricing.${price}`);
        assert.ok(Number.isFinite(Number(entry.pricing[price])));
      }
      assert.ok(Array.isArray(entry.architecture.input_modalities) && Array.isArray(entry.architecture.output_modalities));
      assert.equal(typeof entry.architecture.tokenizer, 'string');
      assert.equal(typeof entry.top_provider.max_completion_tokens, 'number');
    }
    const opus = body.data.find((entry) => entry.id === 'anthropic/claude-opus-4.5')!;
    assert.equal(opus.pricing.prompt, '0.000005');
    assert.equal(opus.pricing.completion, '0.000025');
    assert.equal(opus.context_length, 200000);
  });

  it('GET /api/user is a JSON 404', async () => {
    const response = await fetch(`${env.url}/api/user`);
    assert.equal(response.status, 404);
    assert.ok(((await response.json()) as { error: unknown }).error);
  });

  it('POST /api/route explains a decision without calling the upstream', async () => {
    const callsBefore = env.mock.calls.length;
    const response = await fetch(`${env.url}/api/route`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'architect' },
      body: JSON.stringify({ model: 'kilo/auto', messages: [{ role: 'user', content: 'design it' }] }),
    });
    const body = (await response.json()) as { decision: { tier: string; mode: string; reason: string; candidates: Array<{ upstreamModel: string }> } };
    assert.equal(body.decision.tier, 'reasoning');
    assert.equal(body.decision.mode, 'architect');
    assert.equal(body.decision.candidates[0]!.upstreamModel, 'anthropic/claude-opus-4.5');
    assert.match(body.decision.reason, /architect/);
    assert.equal(env.mock.calls.length, callsBefore);
  });

  it('GET /healthz answers 200 and HEAD / answers 200 (Claude Code probes it)', async () => {
    assert.equal((await fetch(`${env.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${env.url}/`, { method: 'HEAD' })).status, 200);
  });
});
