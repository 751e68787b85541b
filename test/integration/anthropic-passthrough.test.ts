/**
 * Same-protocol passthrough, Anthropic side: the official SDK (and Claude Code's own request shape) → gateway
 * `/v1/messages` → the loopback Anthropic mock.
 *
 * What must hold (STYLE habit 3): the upstream receives the client's body with only `model` replaced, unknown fields and
 * `cache_control` included; `anthropic-version` and `anthropic-beta` arrive untouched; the response stream reaches the
 * client byte for byte as the mock wrote it; usage (cache tokens included) is recorded; `count_tokens` answers with a
 * plausible estimate. The SDK is given a recording `fetch`, so the test compares the exact bytes it sent and received.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import { eventually, startGatewayWithMock, TEST_KEYS, type GatewayUnderTest } from '../helpers/gateway.js';
import { anthropicJsonBody, anthropicStreamFrames } from '../mock-upstream/anthropic-format.js';
import type { RecordedCall } from '../mock-upstream/index.js';

/** One exchange as the SDK saw it on the wire. */
interface WireExchange {
  requestBody: string;
  requestHeaders: Headers;
  responseBytes: Promise<Buffer>;
  responseHeaders: Headers;
}

/** A fetch that records what the SDK sends and tees what it receives. */
function recordingFetch(exchanges: WireExchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const exchange: Omit<WireExchange, 'responseBytes'> = {
      requestBody: typeof init?.body === 'string' ? init.body : '',
      requestHeaders: new Headers(init?.headers),
      responseHeaders: response.headers,
    };
    if (!response.body) {
      exchanges.push({ ...exchange, responseBytes: Promise.resolve(Buffer.alloc(0)) });
      return response;
    }
    const [forClient, forTest] = response.body.tee();
    exchanges.push({ ...exchange, responseBytes: new Response(forTest).arrayBuffer().then((buffer) => Buffer.from(buffer)) });
    return new Response(forClient, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

function withoutModel(value: unknown): Record<string, unknown> {
  const { model: _model, ...rest } = value as Record<string, unknown>;
  return rest;
}

/** The bytes the mock writes for a recorded call (its request id is derived from the call's sequence number). */
function mockBytes(call: RecordedCall, model: string, streaming: boolean): string {
  const context = { model, requestId: `mock_${String(call.index).padStart(6, '0')}`, script: call.script! };
  return streaming ? anthropicStreamFrames(context).join('') : JSON.stringify(anthropicJsonBody(context));
}

const BETA = 'prompt-caching-2024-07-31,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14';

const TOOLS: Anthropic.Tool[] = [
  { name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] }, cache_control: { type: 'ephemeral' } },
];

/** A request with cache_control on system, message and tool blocks, metadata, and fields no SDK type knows. */
function richRequest(stream: boolean): Record<string, unknown> {
  return {
    model: 'kilo/auto',
    max_tokens: 1024,
    stream,
    system: [
      { type: 'text', text: 'You are a careful assistant.' },
      { type: 'text', text: 'Project notes: '.repeat(40), cache_control: { type: 'ephemeral', ttl: '1h' } },
    ],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Summarise src/main.ts', cache_control: { type: 'ephemeral' } }] },
    ],
    tools: TOOLS,
    metadata: { user_id: 'user-1234' },
    temperature: 0.2,
    // Unknown to the SDK's types and to the gateway: must reach the upstream as sent.
    future_field: { nested: [1, 'two', { three: null }] },
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
  };
}

function fixtureBody(name: string): Record<string, unknown> {
  const record = JSON.parse(readFileSync(join(process.cwd(), 'test', 'fixtures', 'modes', name), 'utf8')) as { body: Record<string, unknown> };
  return { ...record.body, model: 'kilo/auto' };
}

describe('Anthropic SDK → gateway → Anthropic upstream (passthrough)', () => {
  let env: GatewayUnderTest;
  let client: Anthropic;
  const exchanges: WireExchange[] = [];

  before(async () => {
    env = await startGatewayWithMock(['anthropic']);
    client = new Anthropic({
      baseURL: env.url,
      apiKey: 'client-key',
      maxRetries: 0,
      fetch: recordingFetch(exchanges),
      defaultHeaders: { 'anthropic-beta': BETA, 'x-kilocode-mode': 'code' },
    });
  });
  after(async () => {
    await env.close();
  });

  for (const stream of [false, true]) {
    it(`${stream ? 'SSE' : 'JSON'}: the upstream gets the SDK's body with only model replaced, headers untouched`, async () => {
      env.mock.enqueue({ usage: { input: 1200, output: 80, cacheRead: 3000, cacheWrite: 500 } });
      const callsBefore = env.mock.calls.length;
      const params = richRequest(stream) as unknown as Anthropic.MessageCreateParamsNonStreaming;
      const message = stream
        ? await client.messages.stream(params as unknown as Anthropic.MessageStreamParams).finalMessage()
        : await client.messages.create(params);
      assert.equal(message.model, 'claude-sonnet-4-5');
      assert.equal(env.mock.calls.length, callsBefore + 1, 'one upstream call');
      const call = env.mock.calls.at(-1)!;
      const sent = exchanges.at(-1)!;

      // Parsed: equal except model; the unknown fields and every cache_control survived.
      assert.deepEqual(withoutModel(call.body), withoutModel(JSON.parse(sent.requestBody)));
      assert.equal((call.body as { model: string }).model, 'claude-sonnet-4-5');
      const upstream = call.body as ReturnType<typeof richRequest> & { system: Array<{ cache_control?: unknown }> };
      assert.deepEqual(upstream.future_field, { nested: [1, 'two', { three: null }] });
      assert.deepEqual(upstream.system[1]!.cache_control, { type: 'ephemeral', ttl: '1h' });
      assert.equal(call.rawBody.split('"cache_control"').length - 1, 3);
      // Bytes: the only difference is the model value.
      assert.equal(call.rawBody, sent.requestBody.replace('"model":"kilo/auto"', '"model":"claude-sonnet-4-5"'));

      // Headers: version and beta as the SDK sent them; the gateway's key, not the client's.
      assert.equal(call.headers['anthropic-version'], sent.requestHeaders.get('anthropic-version'));
      assert.ok(call.headers['anthropic-version'], 'the SDK sent a version');
      assert.equal(call.headers['anthropic-beta'], BETA);
      assert.equal(call.headers['x-api-key'], TEST_KEYS.anthropic);
      assert.equal(sent.responseHeaders.get('x-automodel-model'), 'claude-sonnet-4-5');
      assert.equal(sent.responseHeaders.get('x-automodel-mode'), 'code');
      assert.equal(sent.responseHeaders.get('x-automodel-mode-source'), 'header');

      // Response: the bytes the SDK read are the bytes the mock wrote.
      const received = (await sent.responseBytes).toString('utf8');
      assert.equal(received, mockBytes(call, 'claude-sonnet-4-5', stream));
      assert.equal(message.usage.cache_read_input_tokens, 3000);
      assert.equal(message.usage.cache_creation_input_tokens, 500);

      // Usage recorded, cache tokens included, cost from the catalog.
      const requestId = sent.responseHeaders.get('x-automodel-request-id')!;
      await eventually(() => env.records.some((record) => record.id === requestId));
      const record = env.records.find((entry) => entry.id === requestId)!;
      assert.equal(record.streamed, stream);
      // inputTokens counts every prompt token (uncached + cache reads + cache writes), as usage/types.ts defines it.
      assert.equal(record.inputTokens, 1200 + 3000 + 500);
      assert.equal(record.outputTokens, 80);
      assert.equal(record.cacheReadTokens, 3000);
      assert.equal(record.cacheWriteTokens, 500);
      assert.equal(record.costUsd, (1200 * 3 + 80 * 15 + 3000 * 0.3 + 500 * 3.75) / 1e6);
    });
  }

  it('SSE with tools and thinking: every frame, pings and signatures included, reaches the client unchanged', async () => {
    for (const scenario of ['thinking-tool', 'tool-calls'] as const) {
      env.mock.enqueue({ scenario, chunks: 7 });
      const message = await client.messages.stream({ model: 'kilo/auto', max_tokens: 2048, tools: TOOLS, messages: [{ role: 'user', content: 'go' }] }).finalMessage();
      assert.equal(message.stop_reason, 'tool_use');
      const call = env.mock.calls.at(-1)!;
      assert.equal((await exchanges.at(-1)!.responseBytes).toString('utf8'), mockBytes(call, 'claude-sonnet-4-5', true), scenario);
    }
  });

  it('count_tokens answers with a plausible input_tokens estimate', async (context) => {
    const short = await client.messages.countTokens({ model: 'kilo/auto', messages: [{ role: 'user', content: 'Hello, world' }] });
    assert.ok(short.input_tokens >= 1 && short.input_tokens <= 40, `short: ${short.input_tokens}`);
    const paragraph = 'The gateway routes each request to the model that suits the mode. '.repeat(50); // ~3,350 characters
    const long = await client.messages.countTokens({ model: 'kilo/auto', messages: [{ role: 'user', content: paragraph }] });
    assert.ok(long.input_tokens >= 500 && long.input_tokens <= 1500, `long: ${long.input_tokens}`);
    const claudeCode = fixtureBody('captured/claude-code-plan-system-message.json');
    const { stream: _stream, max_tokens: _maxTokens, ...countable } = claudeCode;
    const big = await client.messages.countTokens(countable as unknown as Anthropic.MessageCountTokensParams);
    const characters = JSON.stringify(countable).length;
    assert.ok(big.input_tokens > characters / 8 && big.input_tokens < characters / 2, `claude code request: ${big.input_tokens} tokens for ${characters} characters`);
    assert.ok(big.input_tokens > long.input_tokens);
    context.diagnostic(`count_tokens: ${short.input_tokens} (12 characters), ${long.input_tokens} (${paragraph.length}), ${big.input_tokens} (Claude Code request, ${characters})`);
  });
});

describe('Claude Code-shaped requests (captured from Claude Code 2.1.197) route by inference and pass through', () => {
  let env: GatewayUnderTest;
  before(async () => {
    env = await startGatewayWithMock(['anthropic']);
  });
  after(async () => {
    await env.close();
  });

  /** Claude Code's own headers (no mode header: it sends none). */
  const CLAUDE_CODE_HEADERS = {
    'content-type': 'application/json',
    'anthropic-version': '2023-06-01',
    'anthropic-beta': 'claude-code-20250219,interleaved-thinking-2025-05-14,context-management-2025-06-27,mid-conversation-system-2026-04-07',
    'x-app': 'cli',
    'user-agent': 'claude-cli/2.1.197 (external, sdk-cli)',
    'x-api-key': 'client-key',
  };

  for (const [fixture, mode, tier, model] of [
    ['captured/claude-code-plan-system-message.json', 'plan', 'reasoning', 'claude-opus-4-5'],
    ['captured/claude-code-plan-system-message-second-turn.json', 'plan', 'reasoning', 'claude-opus-4-5'],
    ['captured/claude-code-plan-exited-system-message.json', 'code', 'implementation', 'claude-sonnet-4-5'],
    ['captured/claude-code-default.json', 'code', 'implementation', 'claude-sonnet-4-5'],
  ] as const) {
    it(`${fixture} → ${mode} (${tier}, ${model}), body and stream untouched`, async () => {
      const body = fixtureBody(fixture);
      assert.ok((body.tools as unknown[]).length >= 20, 'a Claude Code tool set');
      assert.ok(JSON.stringify(body.system).includes('cache_control'), 'system blocks with cache_control');
      assert.ok((body.metadata as { user_id?: string }).user_id, 'metadata.user_id');
      env.mock.enqueue({ usage: { input: 40, output: 12, cacheRead: 9000, cacheWrite: 1500 } });
      const raw = JSON.stringify(body);
      const response = await fetch(`${env.url}/v1/messages?beta=true`, { method: 'POST', headers: CLAUDE_CODE_HEADERS, body: raw });
      const received = await response.text();
      assert.equal(response.status, 200, received.slice(0, 300));
      assert.equal(response.headers.get('x-automodel-mode'), mode);
      assert.equal(response.headers.get('x-automodel-mode-source'), 'inferred');
      assert.equal(response.headers.get('x-automodel-tier'), tier);
      assert.equal(response.headers.get('x-automodel-model'), model);

      const call = env.mock.calls.at(-1)!;
      assert.equal(call.rawBody, raw.replace('"model":"kilo/auto"', `"model":"${model}"`));
      assert.equal(call.headers['anthropic-beta'], CLAUDE_CODE_HEADERS['anthropic-beta']);
      assert.equal(received, mockBytes(call, model, true));

      const requestId = response.headers.get('x-automodel-request-id')!;
      await eventually(() => env.records.some((record) => record.id === requestId));
      const record = env.records.find((entry) => entry.id === requestId)!;
      assert.equal(record.mode, mode);
      assert.equal(record.modeSource, 'inferred');
      assert.equal(record.cacheReadTokens, 9000);
      assert.equal(record.cacheWriteTokens, 1500);
      assert.match(record.clientName ?? '', /claude-cli/);
    });
  }
});
