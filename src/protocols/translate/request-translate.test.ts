/** Request translation: snapshot fixtures for image/document input, and table tests for the tricky mappings. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AnthropicMessagesRequest } from '../anthropic/messages-types.js';
import type { OpenAIChatRequest } from '../openai/chat-types.js';
import { anthropicToOpenaiChat } from './request-anthropic-to-openai.js';
import { openaiChatToAnthropic } from './request-openai-to-anthropic.js';
import { MAX_CACHE_BREAKPOINTS } from './prompt-caching.js';

const FIXTURES = join(process.cwd(), 'src/protocols/translate/__fixtures__');
const toAnthropic = { model: 'claude-sonnet-4-5', maxTokensDefault: 8192, promptCaching: false };

function snapshot(file: string, value: unknown): void {
  const path = join(FIXTURES, file);
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_FIXTURES === '1' || !existsSync(path)) writeFileSync(path, text);
  assert.equal(text, readFileSync(path, 'utf8'));
}

describe('request fixtures (image input)', () => {
  it('OpenAI → Anthropic: base64 and URL images, PDF file, system + developer, dropped audio and seed', () => {
    const body = JSON.parse(readFileSync(join(FIXTURES, 'image-input.openai.request.json'), 'utf8')) as OpenAIChatRequest;
    snapshot('image-input.expected.anthropic.request.json', openaiChatToAnthropic(body, toAnthropic));
  });
  it('Anthropic → OpenAI: base64 and URL images, PDF and text documents, cache_control kept for OpenRouter', () => {
    const body = JSON.parse(readFileSync(join(FIXTURES, 'image-input.anthropic.request.json'), 'utf8')) as AnthropicMessagesRequest;
    snapshot('image-input.expected.openai.request.json', anthropicToOpenaiChat(body, { model: 'anthropic/claude-sonnet-4.5' }));
  });
});

describe('openaiChatToAnthropic', () => {
  it('merges consecutive tool results (and a following user message) into one user turn, ids kept', () => {
    const { body, warnings } = openaiChatToAnthropic(
      {
        messages: [
          { role: 'user', content: 'weather?' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
              { id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Rome"}' } },
            ],
          },
          { role: 'tool', tool_call_id: 'call_1', content: '18C' },
          { role: 'tool', tool_call_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
          { role: 'user', content: 'and tomorrow?' },
        ],
      },
      toAnthropic,
    );
    assert.deepEqual(warnings, []);
    assert.equal(body.messages.length, 3);
    assert.deepEqual(body.messages[1]!.content, [
      { type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Paris' } },
      { type: 'tool_use', id: 'call_2', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    assert.deepEqual(body.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'call_1', content: '18C' },
        { type: 'tool_result', tool_use_id: 'call_2', content: [{ type: 'text', text: '24C' }] },
        { type: 'text', text: 'and tomorrow?' },
      ],
    });
    assert.equal(body.max_tokens, 8192);
  });

  it('maps tool_choice and parallel_tool_calls', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }];
    const cases: Array<[OpenAIChatRequest['tool_choice'], boolean | undefined, unknown]> = [
      ['auto', undefined, { type: 'auto' }],
      ['none', undefined, { type: 'none' }],
      ['required', false, { type: 'any', disable_parallel_tool_use: true }],
      [{ type: 'function', function: { name: 'f' } }, undefined, { type: 'tool', name: 'f' }],
      [undefined, false, { type: 'auto', disable_parallel_tool_use: true }],
    ];
    for (const [choice, parallel, expected] of cases) {
      const { body } = openaiChatToAnthropic(
        { messages: [{ role: 'user', content: 'x' }], tools, tool_choice: choice, ...(parallel === undefined ? {} : { parallel_tool_calls: parallel }) },
        toAnthropic,
      );
      assert.deepEqual(body.tool_choice, expected);
      assert.deepEqual(body.tools, [{ name: 'f', input_schema: { type: 'object', properties: {} } }]);
    }
  });

  it('turns reasoning_effort into a thinking budget and fixes what thinking forbids, with warnings', () => {
    const { body, warnings } = openaiChatToAnthropic(
      { messages: [{ role: 'user', content: 'x' }], reasoning_effort: 'high', max_tokens: 4000, temperature: 0.3, stop: 'END' },
      toAnthropic,
    );
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 24576 });
    assert.equal(body.max_tokens, 28576);
    assert.equal(body.temperature, undefined);
    assert.deepEqual(body.stop_sequences, ['END']);
    assert.equal(warnings.length, 2);
  });

  it('OpenRouter reasoning.max_tokens is the budget exactly', () => {
    const { body } = openaiChatToAnthropic({ messages: [{ role: 'user', content: 'x' }], reasoning: { max_tokens: 3000 }, max_tokens: 10000 }, toAnthropic);
    assert.deepEqual(body.thinking, { type: 'enabled', budget_tokens: 3000 });
    assert.equal(body.max_tokens, 10000);
  });

  it('replays signed reasoning_details as thinking blocks; drops unsigned reasoning with a warning', () => {
    const { body, warnings } = openaiChatToAnthropic(
      {
        messages: [
          { role: 'user', content: 'x' },
          {
            role: 'assistant',
            content: 'ok',
            reasoning_details: [
              { type: 'reasoning.text', text: 'think ', format: 'anthropic-claude-v1', index: 0 },
              { type: 'reasoning.text', text: 'more', signature: 'sig1', format: 'anthropic-claude-v1', index: 0 },
              { type: 'reasoning.encrypted', data: 'opaque', format: 'anthropic-claude-v1', index: 1 },
            ],
          },
          { role: 'user', content: 'y' },
          { role: 'assistant', content: 'z', reasoning_content: 'unsigned thoughts' },
          { role: 'user', content: 'w' },
        ],
      },
      toAnthropic,
    );
    assert.deepEqual(body.messages[1]!.content, [
      { type: 'thinking', thinking: 'think more', signature: 'sig1' },
      { type: 'redacted_thinking', data: 'opaque' },
      { type: 'text', text: 'ok' },
    ]);
    assert.deepEqual(body.messages[3]!.content, [{ type: 'text', text: 'z' }]);
    assert.equal(warnings.length, 1);
  });

  it('reports every dropped field instead of dropping silently', () => {
    const { warnings } = openaiChatToAnthropic(
      { messages: [{ role: 'user', content: 'x' }], n: 2, logit_bias: { '1': 2 }, response_format: { type: 'json_object' }, frequency_penalty: 0, temperature: 1.5 },
      toAnthropic,
    );
    assert.equal(warnings.length, 4, warnings.join('\n'));
  });

  it('adds automatic cache breakpoints: last tool, last system block, newest user turns, four at most', () => {
    const messages: OpenAIChatRequest['messages'] = [{ role: 'system', content: 'sys' }];
    for (let turn = 0; turn < 5; turn++) messages.push({ role: 'user', content: `q${turn}` }, { role: 'assistant', content: `a${turn}` });
    messages.push({ role: 'user', content: 'last' });
    const tools = [
      { type: 'function', function: { name: 'a' } },
      { type: 'function', function: { name: 'b' } },
    ];
    const { body } = openaiChatToAnthropic({ messages, tools }, { ...toAnthropic, promptCaching: true });
    const marked = JSON.stringify(body).split('"cache_control"').length - 1;
    assert.equal(marked, MAX_CACHE_BREAKPOINTS);
    assert.deepEqual(body.tools![1]!.cache_control, { type: 'ephemeral' });
    assert.deepEqual(body.system, [{ type: 'text', text: 'sys', cache_control: { type: 'ephemeral' } }]);
    const last = body.messages[body.messages.length - 1]!.content as Array<{ cache_control?: unknown }>;
    const previousUser = body.messages[body.messages.length - 3]!.content as Array<{ cache_control?: unknown }>;
    assert.deepEqual(last[0]!.cache_control, { type: 'ephemeral' });
    assert.deepEqual(previousUser[0]!.cache_control, { type: 'ephemeral' });
    // Off by config, or the client placed its own: nothing added.
    assert.ok(!JSON.stringify(openaiChatToAnthropic({ messages, tools }, toAnthropic).body).includes('cache_control'));
    const own = openaiChatToAnthropic(
      { messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }], tools },
      { ...toAnthropic, promptCaching: true },
    );
    assert.equal(JSON.stringify(own.body).split('"cache_control"').length - 1, 1);
  });
});

describe('anthropicToOpenaiChat', () => {
  it('splits tool results into tool messages first, moves tool-result images to the user message', () => {
    const { body, warnings } = anthropicToOpenaiChat(
      {
        messages: [
          { role: 'user', content: 'look' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'screenshot', input: {} }] },
          {
            role: 'user',
            content: [
              {
                type: 'tool_result',
                tool_use_id: 'toolu_1',
                content: [
                  { type: 'text', text: 'captured' },
                  { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
                ],
              },
              { type: 'text', text: 'what do you see?' },
            ],
          },
        ],
        max_tokens: 100,
        stream: true,
        thinking: { type: 'enabled', budget_tokens: 2048 },
        tool_choice: { type: 'any', disable_parallel_tool_use: true },
        tools: [{ name: 'screenshot', input_schema: { type: 'object', properties: {} } }, { type: 'web_search_20250305', name: 'web_search' }],
        metadata: { user_id: 'u-1' },
      },
      { model: 'anthropic/claude-sonnet-4.5' },
    );
    assert.deepEqual(body.messages.slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'screenshot', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'captured' },
      {
        role: 'user',
        content: [
          { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' } },
          { type: 'text', text: 'what do you see?' },
        ],
      },
    ]);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(body.reasoning, { max_tokens: 2048 });
    assert.equal(body.tool_choice, 'required');
    assert.equal(body.parallel_tool_calls, false);
    assert.equal(body.user, 'u-1');
    assert.equal(body.tools?.length, 1);
    assert.equal(warnings.length, 2, warnings.join('\n'));
  });

  it('openai dialect: reasoning_effort, max_completion_tokens, thinking history dropped with a warning', () => {
    const { body, warnings } = anthropicToOpenaiChat(
      {
        messages: [
          { role: 'user', content: 'x' },
          { role: 'assistant', content: [{ type: 'thinking', thinking: 't', signature: 's' }, { type: 'text', text: 'y' }] },
          { role: 'user', content: 'z' },
        ],
        max_tokens: 20000,
        thinking: { type: 'enabled', budget_tokens: 16000 },
        top_k: 5,
      },
      { model: 'gpt-5', dialect: 'openai' },
    );
    assert.equal(body.reasoning_effort, 'medium');
    assert.equal(body.max_completion_tokens, 20000);
    assert.equal(body.messages[1]!.reasoning_details, undefined);
    assert.equal(warnings.length, 2);
  });
});
