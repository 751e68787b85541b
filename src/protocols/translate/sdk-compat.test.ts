/**
 * The official SDKs' stream parsers must accept every byte the encoders emit. Each reviewed fixture output is
 * served to the SDK through its `fetch` option (as a byte stream cut into 13-byte pieces, so UTF-8 characters
 * and SSE lines split across reads) and the SDK's own final message / completion is checked.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { fixtureCases } from '../testing/fixture-replay.js';

function sseResponse(text: string, pieceSize = 13): Response {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(offset, offset + pieceSize));
      offset += pieceSize;
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

function anthropicClient(text: string): Anthropic {
  return new Anthropic({ apiKey: 'test', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => sseResponse(text) });
}

function openaiClient(text: string): OpenAI {
  return new OpenAI({ apiKey: 'test', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: async () => sseResponse(text) });
}

const expected = new Map(fixtureCases().map((fixture) => [`${fixture.upstream}:${fixture.name}`, readFileSync(fixture.expected, 'utf8')]));
function output(key: string): string {
  const text = expected.get(key);
  assert.ok(text, `missing fixture output ${key}`);
  return text;
}

async function anthropicFinal(text: string): Promise<Anthropic.Message> {
  return anthropicClient(text)
    .messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] })
    .finalMessage();
}

async function openaiFinal(text: string): Promise<OpenAI.Chat.Completions.ChatCompletion> {
  return openaiClient(text)
    .chat.completions.stream({ model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }], stream_options: { include_usage: true } })
    .finalChatCompletion();
}

describe('@anthropic-ai/sdk parses the Anthropic encoder output', () => {
  it('plain text with cache usage', async () => {
    const message = await anthropicFinal(output('openai:plain-text'));
    assert.deepEqual(message.content, [{ type: 'text', text: 'Hello! How can I help you today? ✨' }]);
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.input_tokens, 86);
    assert.equal(message.usage.cache_read_input_tokens, 1920);
    assert.equal(message.usage.output_tokens, 12);
  });
  it('parallel tool calls with streamed arguments', async () => {
    const message = await anthropicFinal(output('openai:parallel-tool-calls'));
    assert.equal(message.stop_reason, 'tool_use');
    assert.deepEqual(
      message.content.map((block) => (block.type === 'tool_use' ? [block.id, block.name, block.input] : block.type)),
      [
        ['call_weather_paris', 'get_weather', { location: 'Paris, FR' }],
        ['call_weather_tokyo', 'get_weather', { location: 'Tokyo, JP' }],
      ],
    );
  });
  it('thinking with signature, text and a tool call', async () => {
    const message = await anthropicFinal(output('openai:reasoning-tool-use'));
    const [thinking, text, tool] = message.content;
    assert.equal(thinking?.type, 'thinking');
    assert.equal(thinking?.type === 'thinking' && thinking.signature, 'EqQBCkYIBxgCKkBsig0123==');
    assert.equal(thinking?.type === 'thinking' && thinking.thinking, 'The user wants the file list; I should call ls.');
    assert.equal(text?.type === 'text' && text.text, 'Let me look.');
    assert.deepEqual(tool?.type === 'tool_use' && tool.input, { path: 'src' });
    assert.equal(message.usage.cache_creation_input_tokens, 1000);
  });
  it('reasoning_content (DeepSeek style) behind ping comments', async () => {
    const message = await anthropicFinal(output('openai:ping-comments'));
    assert.deepEqual(message.content.map((block) => block.type), ['thinking', 'text']);
  });
  it('finish without [DONE] → max_tokens', async () => {
    const message = await anthropicFinal(output('openai:no-done'));
    assert.equal(message.stop_reason, 'max_tokens');
  });
  for (const name of ['error-mid-stream', 'malformed-chunk']) {
    it(`${name} surfaces as an SDK APIError`, async () => {
      await assert.rejects(anthropicFinal(output(`openai:${name}`)), (error: unknown) => error instanceof Anthropic.APIError);
    });
  }
});

describe('openai SDK parses the OpenAI encoder output', () => {
  it('plain text with usage', async () => {
    const completion = await openaiFinal(output('anthropic:plain-text'));
    assert.equal(completion.choices[0]?.message.content, 'Hello! Nice to meet you — ünïcödé 👋');
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.equal(completion.usage?.prompt_tokens, 25);
    assert.equal(completion.usage?.completion_tokens, 15);
  });
  it('parallel tool calls with streamed arguments', async () => {
    const completion = await openaiFinal(output('anthropic:parallel-tool-use'));
    const message = completion.choices[0]!.message;
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(message.content, "Okay, let's check the weather in both cities:");
    assert.deepEqual(
      message.tool_calls?.map((call) => (call.type === 'function' ? [call.id, call.function.name, JSON.parse(call.function.arguments)] : call.type)),
      [
        ['toolu_01Paris', 'get_weather', { location: 'Paris, FR' }],
        ['toolu_01Tokyo', 'get_weather', { location: 'Tokyo, JP', unit: 'celsius' }],
      ],
    );
  });
  it('thinking + tool use, with cache usage', async () => {
    const completion = await openaiFinal(output('anthropic:thinking-tool-use'));
    assert.equal(completion.choices[0]?.finish_reason, 'tool_calls');
    assert.equal(completion.usage?.prompt_tokens, 20312);
    assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 20000);
  });
  it('redacted thinking and ping events', async () => {
    const completion = await openaiFinal(output('anthropic:ping-redacted'));
    assert.equal(completion.choices[0]?.message.content, 'Done. STOP');
  });
  for (const name of ['error-mid-stream', 'truncated']) {
    it(`${name} surfaces as an SDK APIError`, async () => {
      await assert.rejects(openaiFinal(output(`anthropic:${name}`)), (error: unknown) => error instanceof OpenAI.APIError);
    });
  }
});
