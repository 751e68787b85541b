/**
 * Proves the mock speaks the providers' wire formats: the official `openai` and `@anthropic-ai/sdk` clients, pointed
 * straight at it, accept its JSON and streams and map its errors to the right SDK error classes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { DEFAULT_CHUNKS, SCENARIOS, openrouterCost, startMockUpstream, textChunks } from './index.js';
import type { MockUpstream } from './index.js';

const EXPECTED_TEXT = textChunks(DEFAULT_CHUNKS).join('');

let mock: MockUpstream;
let openai: OpenAI;
let openrouter: OpenAI;
let anthropic: Anthropic;

before(async () => {
  mock = await startMockUpstream();
  openai = new OpenAI({ apiKey: 'test-key', baseURL: `${mock.url}/v1`, maxRetries: 0 });
  openrouter = new OpenAI({ apiKey: 'test-key', baseURL: `${mock.url}/api/v1`, maxRetries: 0 });
  anthropic = new Anthropic({ apiKey: 'test-key', baseURL: mock.url, maxRetries: 0 });
});

after(async () => {
  await mock.close();
});

/** Per-request `x-mock-*` headers, passed through the SDKs' request options. */
function mockHeaders(headers: Record<string, string>): { headers: Record<string, string> } {
  return { headers };
}

describe('OpenAI SDK against the mock', () => {
  test('JSON completion echoes the model and reports usage', async () => {
    const completion = await openai.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
      mockHeaders({ 'x-mock-usage': JSON.stringify({ input: 50, cacheRead: 30, output: 7, reasoning: 2 }) }),
    );
    assert.equal(completion.model, 'gpt-test');
    assert.equal(completion.choices[0]?.message.content, EXPECTED_TEXT);
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.equal(completion.usage?.prompt_tokens, 80);
    assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 30);
    assert.equal(completion.usage?.completion_tokens, 7);
    assert.equal(completion.usage?.completion_tokens_details?.reasoning_tokens, 2);
    assert.equal(completion.usage?.total_tokens, 87);
    const call = mock.calls.at(-1);
    assert.equal(call?.path, '/v1/chat/completions');
    assert.equal(call?.headers.authorization, 'Bearer test-key');
    assert.deepEqual((call?.body as { model: string }).model, 'gpt-test');
  });

  test('stream with include_usage: usage null on each chunk, then a choices:[] usage chunk', async () => {
    const stream = await openai.chat.completions.create({
      model: 'gpt-test',
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    const chunks = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? '';
    }
    assert.equal(text, EXPECTED_TEXT);
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.equal(last?.usage?.completion_tokens, 20);
    for (const chunk of chunks.slice(0, -1)) assert.equal(chunk.usage, null);
    assert.equal(chunks.at(-2)?.choices[0]?.finish_reason, 'stop');
  });

  test('stream without include_usage has no usage field at all', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true },
      mockHeaders({ 'x-mock-chunks': '3' }),
    );
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    assert.equal(chunks.length, 5); // role, 3 text, finish
    for (const chunk of chunks) assert.equal('usage' in chunk, false);
  });

  test('parallel tool calls stream as partial JSON and accumulate into valid arguments', async () => {
    const runner = openai.chat.completions.stream(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'read' }], stream_options: { include_usage: true } },
      mockHeaders({ 'x-mock-scenario': 'tool-calls' }),
    );
    const completion = await runner.finalChatCompletion();
    const toolCalls = completion.choices[0]?.message.tool_calls ?? [];
    assert.equal(toolCalls.length, 2);
    const expected = SCENARIOS['tool-calls'].toolCalls;
    toolCalls.forEach((call, index) => {
      assert.equal(call.type, 'function');
      if (call.type !== 'function') return;
      assert.equal(call.function.name, expected[index]?.name);
      assert.deepEqual(JSON.parse(call.function.arguments), JSON.parse(expected[index]?.argumentFragments.join('') ?? ''));
    });
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
  });

  test('thinking streams reasoning_content deltas before the text', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'think' }], stream: true },
      mockHeaders({ 'x-mock-scenario': 'thinking' }),
    );
    let reasoning = '';
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { content?: string | null; reasoning_content?: string } | undefined;
      reasoning += delta?.reasoning_content ?? '';
      text += delta?.content ?? '';
    }
    assert.equal(reasoning, SCENARIOS.thinking.thinkingFragments?.join(''));
    assert.equal(text, EXPECTED_TEXT);
  });

  test('OpenRouter flavour: usage with cost always ends the stream, reasoning in `reasoning`', async () => {
    const stream = await openrouter.chat.completions.create(
      { model: 'anthropic/claude-sonnet-4.5', messages: [{ role: 'user', content: 'hi' }], stream: true },
      mockHeaders({ 'x-mock-scenario': 'thinking', 'x-mock-usage': JSON.stringify({ input: 1000, cacheWrite: 200 }) }),
    );
    let reasoning = '';
    let usage: Record<string, unknown> | undefined;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta as { reasoning?: string } | undefined;
      reasoning += delta?.reasoning ?? '';
      if (chunk.usage) usage = chunk.usage as unknown as Record<string, unknown>;
      assert.equal(chunk.model, 'anthropic/claude-sonnet-4.5');
    }
    assert.equal(reasoning, SCENARIOS.thinking.thinkingFragments?.join(''));
    assert.ok(usage);
    assert.equal(usage.prompt_tokens, 1200);
    assert.deepEqual(usage.prompt_tokens_details, { cached_tokens: 0, cache_write_tokens: 200, audio_tokens: 0 });
    assert.equal(usage.cost, openrouterCost({ input: 1000, output: 20, cacheRead: 0, cacheWrite: 200, reasoning: 12 }));
    assert.equal(mock.calls.at(-1)?.flavour, 'openrouter');
  });

  test('errors map to SDK classes with status and rate-limit headers', async () => {
    await assert.rejects(
      openai.chat.completions.create(
        { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
        mockHeaders({ 'x-mock-fault': 'status', 'x-mock-status': '429', 'x-mock-retry-after-ms': '250' }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof OpenAI.RateLimitError);
        assert.equal(error.status, 429);
        assert.equal(error.code, 'rate_limit_exceeded');
        assert.equal(error.headers?.get('retry-after'), '1');
        assert.equal(error.headers?.get('retry-after-ms'), '250');
        assert.equal(error.headers?.get('x-ratelimit-remaining-requests'), '0');
        return true;
      },
    );
    await assert.rejects(
      openai.chat.completions.create(
        { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] },
        mockHeaders({ 'x-mock-fault': 'status', 'x-mock-status': '503' }),
      ),
      (error: unknown) => error instanceof OpenAI.InternalServerError && error.status === 503,
    );
    const keyed = await startMockUpstream({ apiKey: 'right-key' });
    try {
      const wrong = new OpenAI({ apiKey: 'wrong-key', baseURL: `${keyed.url}/v1`, maxRetries: 0 });
      await assert.rejects(
        wrong.chat.completions.create({ model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }] }),
        (error: unknown) => error instanceof OpenAI.AuthenticationError && error.status === 401,
      );
    } finally {
      await keyed.close();
    }
  });

  test('an error object in a data line makes the SDK throw APIError mid-stream', async () => {
    const stream = await openai.chat.completions.create(
      { model: 'gpt-test', messages: [{ role: 'user', content: 'hi' }], stream: true },
      mockHeaders({ 'x-mock-fault': 'error-event', 'x-mock-after': '3' }),
    );
    let seen = 0;
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) if (chunk) seen += 1;
      })(),
      (error: unknown) => error instanceof OpenAI.APIError && /mid-stream/.test(error.message),
    );
    assert.equal(seen, 3);
  });

  test('models list', async () => {
    const models = [];
    for await (const model of openai.models.list()) models.push(model.id);
    assert.deepEqual(models, ['gpt-4o-mini']);
  });
});

describe('Anthropic SDK against the mock', () => {
  test('JSON message echoes the model and reports cache usage', async () => {
    const message = await anthropic.messages.create(
      { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] },
      mockHeaders({ 'x-mock-usage': JSON.stringify({ input: 10, cacheRead: 900, cacheWrite: 50, output: 5 }) }),
    );
    assert.equal(message.model, 'claude-test');
    assert.deepEqual(message.content.map((block) => block.type), ['text']);
    assert.equal(message.content[0]?.type === 'text' ? message.content[0].text : '', EXPECTED_TEXT);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, 10);
    assert.equal(message.usage.cache_read_input_tokens, 900);
    assert.equal(message.usage.cache_creation_input_tokens, 50);
    assert.equal(message.usage.output_tokens, 5);
    const call = mock.calls.at(-1);
    // SDK 1.x sends the key as a bearer token; older ones as x-api-key. The API (and the mock) take either.
    const sentKey = call?.headers['x-api-key'] ?? call?.headers.authorization?.replace(/^Bearer /, '');
    assert.equal(sentKey, 'test-key');
    assert.ok(call?.headers['anthropic-version']);
  });

  test('streamed thinking then text accumulates with the signature', async () => {
    const stream = anthropic.messages.stream(
      { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'think' }] },
      mockHeaders({ 'x-mock-scenario': 'thinking' }),
    );
    const eventTypes = new Set<string>();
    stream.on('streamEvent', (event) => eventTypes.add(event.type));
    const message = await stream.finalMessage();
    assert.deepEqual(message.content.map((block) => block.type), ['thinking', 'text']);
    const thinking = message.content[0];
    assert.ok(thinking?.type === 'thinking');
    assert.equal(thinking.thinking, SCENARIOS.thinking.thinkingFragments?.join(''));
    assert.equal(thinking.signature, SCENARIOS.thinking.thinkingSignature);
    assert.equal(message.content[1]?.type === 'text' ? message.content[1].text : '', EXPECTED_TEXT);
    assert.equal(message.usage.output_tokens, 20);
    for (const type of ['message_start', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']) {
      assert.ok(eventTypes.has(type), type);
    }
  });

  test('streamed tool_use blocks accumulate input_json_delta into parsed input', async () => {
    const stream = anthropic.messages.stream(
      { model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'read' }] },
      mockHeaders({ 'x-mock-scenario': 'tool-calls' }),
    );
    const message = await stream.finalMessage();
    assert.deepEqual(message.content.map((block) => block.type), ['text', 'tool_use', 'tool_use']);
    const expected = SCENARIOS['tool-calls'].toolCalls;
    message.content.slice(1).forEach((block, index) => {
      assert.ok(block.type === 'tool_use');
      assert.equal(block.name, expected[index]?.name);
      assert.deepEqual(block.input, JSON.parse(expected[index]?.argumentFragments.join('') ?? ''));
    });
    assert.equal(message.stop_reason, 'tool_use');
  });

  test('thinking-tool: thinking block, then a tool call', async () => {
    const message = await anthropic.messages
      .stream({ model: 'claude-test', max_tokens: 100, messages: [{ role: 'user', content: 'x' }] }, mockHeaders({ 'x-mock-scenario': 'thinking-tool' }))
      .finalMessage();
    assert.deepEqual(message.content.map((block) => block.type), ['thinking', 'tool_use']);
  });

  test('529 is OverloadedError, 429 is RateLimitError with anthropic-ratelimit headers', async () => {
    await assert.rejects(
      anthropic.messages.create(
        { model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
        mockHeaders({ 'x-mock-fault': 'status', 'x-mock-status': '529' }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.OverloadedError);
        assert.equal(error.status, 529);
        assert.equal((error.error as { error: { type: string } }).error.type, 'overloaded_error');
        return true;
      },
    );
    await assert.rejects(
      anthropic.messages.create(
        { model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] },
        mockHeaders({ 'x-mock-fault': 'status', 'x-mock-status': '429', 'x-mock-retry-after': '7' }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof Anthropic.RateLimitError);
        assert.equal(error.headers?.get('retry-after'), '7');
        assert.equal(error.headers?.get('anthropic-ratelimit-requests-remaining'), '0');
        assert.match(error.requestID ?? '', /^req_mock_/);
        return true;
      },
    );
  });

  test('a missing key is a 401 authentication_error; a wrong key is AuthenticationError', async () => {
    const response = await fetch(`${mock.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-test', max_tokens: 1, messages: [] }),
    });
    assert.equal(response.status, 401);
    const body = (await response.json()) as { type: string; error: { type: string } };
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, 'authentication_error');
    const keyed = await startMockUpstream({ apiKey: 'right-key' });
    try {
      const wrong = new Anthropic({ apiKey: 'wrong-key', baseURL: keyed.url, maxRetries: 0 });
      await assert.rejects(
        wrong.messages.create({ model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] }),
        (error: unknown) => error instanceof Anthropic.AuthenticationError && error.status === 401,
      );
    } finally {
      await keyed.close();
    }
  });

  test('event: error mid-stream makes the SDK throw APIError', async () => {
    const stream = await anthropic.messages.create(
      { model: 'claude-test', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], stream: true },
      mockHeaders({ 'x-mock-fault': 'error-event', 'x-mock-after': '4' }),
    );
    await assert.rejects(
      (async () => {
        for await (const event of stream) void event;
      })(),
      (error: unknown) => error instanceof Anthropic.APIError && /Overloaded/.test(error.message),
    );
  });

  test('count_tokens and models', async () => {
    const count = await anthropic.messages.countTokens(
      { model: 'claude-test', messages: [{ role: 'user', content: 'hi' }] },
      mockHeaders({ 'x-mock-usage': JSON.stringify({ input: 42, cacheRead: 8 }) }),
    );
    assert.equal(count.input_tokens, 50);
    const ids = [];
    for await (const model of anthropic.models.list()) ids.push(model.id);
    assert.deepEqual(ids, ['claude-opus-4-5', 'claude-sonnet-4-5']);
  });
});
