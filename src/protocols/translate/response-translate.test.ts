/** Non-streaming responses, usage, stop reasons, errors, and encoder end() without a finish. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { AnthropicMessage } from '../anthropic/messages-types.js';
import type { OpenAIChatCompletion, OpenAIMessage } from '../openai/chat-types.js';
import { createAnthropicStreamEncoder } from './encode-anthropic-stream.js';
import { createOpenAIStreamEncoder } from './encode-openai-stream.js';
import { anthropicErrorToOpenai, anthropicSseErrorFrame, openaiErrorToAnthropic, openaiSseErrorFrame } from './errors.js';
import { finishReasonFromAnthropic, finishReasonFromOpenAI, finishReasonToAnthropic, finishReasonToOpenAI } from './finish-reason.js';
import { openaiChatToAnthropic } from './request-openai-to-anthropic.js';
import { anthropicMessageToOpenaiCompletion } from './response-anthropic-to-openai.js';
import { openaiCompletionToAnthropicMessage } from './response-openai-to-anthropic.js';
import { usageFromAnthropic, usageFromOpenAI, usageToAnthropic, usageToOpenAI } from './usage.js';

const anthropicMessage: AnthropicMessage = {
  id: 'msg_01Loop',
  type: 'message',
  role: 'assistant',
  model: 'claude-opus-4-5-20251101',
  content: [
    { type: 'thinking', thinking: 'Need to read the file.', signature: 'SIG-abc' },
    { type: 'redacted_thinking', data: 'REDACTED-xyz' },
    { type: 'text', text: 'Reading it now.' },
    { type: 'tool_use', id: 'toolu_01Read', name: 'read_file', input: { path: 'a.ts' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 50, cache_read_input_tokens: 20000, cache_creation_input_tokens: 1200, output_tokens: 90 },
};

describe('non-streaming responses', () => {
  it('Anthropic message → chat.completion, and the next turn replays thinking with its signature', () => {
    const completion = anthropicMessageToOpenaiCompletion(anthropicMessage, { id: 'chatcmpl-1', model: 'claude-opus-4-5', created: 1732600000 });
    const choice = completion.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, 'Reading it now.');
    assert.equal(choice.message.reasoning_content, 'Need to read the file.');
    assert.deepEqual(choice.message.tool_calls, [{ id: 'toolu_01Read', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } }]);
    assert.deepEqual(completion.usage, {
      prompt_tokens: 21250,
      completion_tokens: 90,
      total_tokens: 21340,
      prompt_tokens_details: { cached_tokens: 20000, cache_write_tokens: 1200 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });
    // The client sends the assistant message back with the tool result: Anthropic gets the same blocks again.
    const next = openaiChatToAnthropic(
      { messages: [{ role: 'user', content: 'read a.ts' }, choice.message as OpenAIMessage, { role: 'tool', tool_call_id: 'toolu_01Read', content: 'export {}' }] },
      { model: 'claude-opus-4-5', maxTokensDefault: 4096, promptCaching: false },
    );
    assert.deepEqual(next.warnings, []);
    assert.deepEqual(next.body.messages[1]!.content, anthropicMessage.content);
    assert.deepEqual(next.body.messages[2]!.content, [{ type: 'tool_result', tool_use_id: 'toolu_01Read', content: 'export {}' }]);
  });

  it('chat.completion → Anthropic message (usage split back out of prompt_tokens)', () => {
    const completion: OpenAIChatCompletion = {
      id: 'chatcmpl-2',
      object: 'chat.completion',
      created: 1732600000,
      model: 'gpt-4o',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'Calling.', tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'ls', arguments: '{"dir":"."}' } }] },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 1000, completion_tokens: 20, total_tokens: 1020, prompt_tokens_details: { cached_tokens: 900 } },
    };
    const message = openaiCompletionToAnthropicMessage(completion, { id: 'msg_gw', model: 'gpt-4o' });
    assert.deepEqual(message, {
      id: 'msg_gw',
      type: 'message',
      role: 'assistant',
      model: 'gpt-4o',
      content: [
        { type: 'text', text: 'Calling.' },
        { type: 'tool_use', id: 'call_9', name: 'ls', input: { dir: '.' } },
      ],
      stop_reason: 'tool_use',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 900, cache_creation_input_tokens: 0 },
    });
  });

  it('the SDKs accept the translated JSON bodies', async () => {
    const completion = anthropicMessageToOpenaiCompletion(anthropicMessage, { created: 1732600000 });
    const openai = new OpenAI({ apiKey: 'x', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0, fetch: async () => Response.json(completion) });
    const parsed = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(parsed.choices[0]?.message.tool_calls?.[0]?.id, 'toolu_01Read');
    const message = openaiCompletionToAnthropicMessage(completion);
    const anthropic = new Anthropic({ apiKey: 'x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => Response.json(message) });
    const created = await anthropic.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    assert.deepEqual(created.content.map((block) => block.type), ['thinking', 'redacted_thinking', 'text', 'tool_use']);
  });
});

describe('usage', () => {
  it('Anthropic input_tokens excludes cache tokens; OpenAI prompt_tokens includes them', () => {
    const normalized = usageFromAnthropic({ input_tokens: 10, cache_read_input_tokens: 300, cache_creation_input_tokens: 40, output_tokens: 5 });
    assert.deepEqual(normalized, { inputTokens: 350, outputTokens: 5, cacheReadTokens: 300, cacheWriteTokens: 40, reasoningTokens: null });
    assert.deepEqual(usageToAnthropic(normalized), { input_tokens: 10, output_tokens: 5, cache_read_input_tokens: 300, cache_creation_input_tokens: 40 });
    assert.equal(usageToOpenAI(normalized).prompt_tokens, 350);
    assert.deepEqual(usageFromOpenAI(usageToOpenAI(normalized)), { ...normalized, reasoningTokens: 0 });
  });
  it('reads DeepSeek cache hits and OpenRouter cost; unknown stays null', () => {
    const usage = usageFromOpenAI({ prompt_tokens: 100, completion_tokens: 3, prompt_cache_hit_tokens: 64, cost: 0.01 });
    assert.equal(usage.cacheReadTokens, 64);
    assert.equal(usage.cacheWriteTokens, null);
    assert.equal(usage.upstreamCostUsd, 0.01);
    assert.deepEqual(usageFromOpenAI(null), { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null });
  });
});

describe('stop reasons', () => {
  it('map both ways', () => {
    const anthropic = ['end_turn', 'stop_sequence', 'max_tokens', 'tool_use', 'refusal', 'pause_turn'] as const;
    assert.deepEqual(anthropic.map((reason) => finishReasonToOpenAI(finishReasonFromAnthropic(reason))), ['stop', 'stop', 'length', 'tool_calls', 'content_filter', 'stop']);
    assert.deepEqual(anthropic.map((reason) => finishReasonToAnthropic(finishReasonFromAnthropic(reason))), [...anthropic]);
    const openai = ['stop', 'length', 'tool_calls', 'content_filter'] as const;
    assert.deepEqual(openai.map((reason) => finishReasonToAnthropic(finishReasonFromOpenAI(reason))), ['end_turn', 'max_tokens', 'tool_use', 'refusal']);
  });
});

describe('errors', () => {
  it('Anthropic → OpenAI: 529 overloaded, 429, 401, 400, and non-JSON bodies', () => {
    assert.deepEqual(anthropicErrorToOpenai(529, { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }), {
      status: 503,
      body: { error: { message: 'Overloaded', type: 'server_error', code: 'overloaded', param: null } },
    });
    assert.equal(anthropicErrorToOpenai(429, '{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}').body.error.code, 'rate_limit_exceeded');
    assert.equal(anthropicErrorToOpenai(401, { type: 'error', error: { type: 'authentication_error', message: 'bad key' } }).status, 401);
    assert.equal(anthropicErrorToOpenai(400, { type: 'error', error: { type: 'invalid_request_error', message: 'bad' } }).body.error.type, 'invalid_request_error');
    assert.deepEqual(anthropicErrorToOpenai(502, '<html>Bad Gateway</html>'), {
      status: 500,
      body: { error: { message: '<html>Bad Gateway</html>', type: 'server_error', code: null, param: null } },
    });
  });
  it('OpenAI → Anthropic: status decides the type; 503 becomes 529 overloaded', () => {
    assert.deepEqual(openaiErrorToAnthropic(429, { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded', param: null } }), {
      status: 429,
      body: { type: 'error', error: { type: 'rate_limit_error', message: 'Rate limit reached' } },
    });
    assert.equal(openaiErrorToAnthropic(401, { error: { message: 'Incorrect API key', type: 'invalid_request_error', code: 'invalid_api_key' } }).body.error.type, 'authentication_error');
    assert.equal(openaiErrorToAnthropic(503, { error: { message: 'engine overloaded' } }).status, 529);
    assert.equal(openaiErrorToAnthropic(400, { error: { message: 'too long', code: 'context_length_exceeded' } }).body.error.type, 'invalid_request_error');
  });
  it('SSE error frames', () => {
    assert.equal(anthropicSseErrorFrame({ errorType: 'overloaded_error', message: 'Overloaded' }), 'event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n');
    assert.equal(openaiSseErrorFrame({ errorType: 'rate_limit_error', message: 'slow' }), 'data: {"error":{"message":"slow","type":"rate_limit_error","code":"rate_limit_exceeded","param":null}}\n\n');
  });
});

describe('encoders close a stream that never finished', () => {
  it('Anthropic: closes open blocks, message_delta + message_stop, parseable by the SDK', async () => {
    const encoder = createAnthropicStreamEncoder({ id: 'msg_x', model: 'm' });
    let text = encoder.push({ type: 'message-start', id: 'u', model: 'u' }) + encoder.push({ type: 'text-delta', index: 0, text: 'partial' });
    text += encoder.end();
    assert.equal(encoder.end(), '');
    assert.ok(text.includes('content_block_stop') && text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n'));
    const client = new Anthropic({ apiKey: 'x', baseURL: 'http://127.0.0.1:9', maxRetries: 0, fetch: async () => new Response(text, { headers: { 'content-type': 'text/event-stream' } }) });
    const message = await client.messages.stream({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }).finalMessage();
    assert.equal(message.content[0]?.type === 'text' && message.content[0].text, 'partial');
  });
  it('OpenAI: finish chunk, usage chunk when asked, [DONE]', () => {
    const encoder = createOpenAIStreamEncoder({ id: 'c', model: 'm', created: 1, includeUsage: true });
    const text = encoder.push({ type: 'text-delta', index: 0, text: 'hi' }) + encoder.end();
    assert.ok(text.includes('"finish_reason":"stop"'));
    assert.ok(text.includes('"usage":{"prompt_tokens":0'));
    assert.ok(text.endsWith('data: [DONE]\n\n'));
  });
});
