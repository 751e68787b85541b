/**
 * Property tests: a request translated to the other protocol and back keeps everything both protocols can
 * express (system, text, images, tools, tool_choice, tool calls and results with ids, thinking with signatures,
 * stop, temperature, top_p, max tokens, user, stream).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { AnthropicContentBlock, AnthropicMessageParam, AnthropicMessagesRequest } from '../anthropic/messages-types.js';
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage } from '../openai/chat-types.js';
import { anthropicToOpenaiChat } from './request-anthropic-to-openai.js';
import { openaiChatToAnthropic } from './request-openai-to-anthropic.js';

const text = fc.string({ minLength: 1, maxLength: 30 }).filter((value) => value.trim().length > 0);
const id = fc.stringMatching(/^[A-Za-z0-9_]{4,16}$/);
const base64 = fc.base64String({ minLength: 4, maxLength: 24 }).filter((value) => value.length > 0);
// Tool arguments travel as JSON text on the OpenAI side, where -0 and 0 are one number (JSON.stringify(-0) is "0"):
// generate them as their JSON text would parse, so the property compares what a wire can carry.
const argumentsObject = fc
  .dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4, noNullPrototype: true })
  .map((value) => JSON.parse(JSON.stringify(value)) as Record<string, unknown>);
const schema = fc.record({ type: fc.constant('object'), properties: fc.dictionary(id, fc.record({ type: fc.constantFrom('string', 'number') }), { maxKeys: 3, noNullPrototype: true }) });
const toolNames = fc.uniqueArray(id, { minLength: 0, maxLength: 4 });

// ---------- OpenAI → Anthropic → OpenAI ----------

const openaiUserContent: fc.Arbitrary<OpenAIMessage['content']> = fc.oneof(
  text,
  fc.array(
    fc.oneof(
      text.map((value): OpenAIContentPart => ({ type: 'text', text: value })),
      base64.map((data): OpenAIContentPart => ({ type: 'image_url', image_url: { url: `data:image/png;base64,${data}` } })),
      id.map((name): OpenAIContentPart => ({ type: 'image_url', image_url: { url: `https://images.test/${name}.jpg` } })),
    ),
    { minLength: 2, maxLength: 4 },
  ),
);

/** One exchange: a user turn, then an assistant text answer or an assistant tool-call turn plus its results. */
function openaiExchange(names: string[]): fc.Arbitrary<OpenAIMessage[]> {
  const user = openaiUserContent.map((content): OpenAIMessage => ({ role: 'user', content }));
  const answer = text.map((content): OpenAIMessage[] => [{ role: 'assistant', content }]);
  if (names.length === 0) return fc.tuple(user, answer).map(([first, rest]) => [first, ...rest]);
  const calls = fc.uniqueArray(fc.record({ id, name: fc.constantFrom(...names), input: argumentsObject, result: text }), {
    minLength: 1,
    maxLength: 3,
    selector: (call) => call.id,
  });
  const toolTurn = fc.tuple(fc.option(text, { nil: null }), calls).map(([content, list]): OpenAIMessage[] => [
    {
      role: 'assistant',
      content,
      tool_calls: list.map((call) => ({ id: call.id, type: 'function' as const, function: { name: call.name, arguments: JSON.stringify(call.input) } })),
    },
    ...list.map((call): OpenAIMessage => ({ role: 'tool', tool_call_id: call.id, content: call.result })),
  ]);
  return fc.tuple(user, fc.oneof(answer, toolTurn)).map(([first, rest]) => [first, ...rest]);
}

const openaiRequest: fc.Arbitrary<OpenAIChatRequest> = toolNames.chain((names) =>
  fc
    .record({
      system: fc.option(text, { nil: undefined }),
      exchanges: fc.array(openaiExchange(names), { minLength: 0, maxLength: 3 }),
      last: openaiUserContent,
      tools: fc.constant(names),
      descriptions: fc.array(fc.option(text, { nil: undefined }), { minLength: names.length, maxLength: names.length }),
      schemas: fc.array(schema, { minLength: names.length, maxLength: names.length }),
      toolChoice: fc.constantFrom<'auto' | 'none' | 'required' | 'named'>('auto', 'none', 'required', 'named'),
      parallel: fc.option(fc.constant(false), { nil: undefined }),
      stop: fc.option(fc.array(text, { minLength: 1, maxLength: 4 }), { nil: undefined }),
      temperature: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      topP: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: undefined }),
      maxTokens: fc.integer({ min: 1, max: 200000 }),
      user: fc.option(id, { nil: undefined }),
      stream: fc.boolean(),
    })
    .map((value) => {
      const messages: OpenAIMessage[] = [];
      if (value.system) messages.push({ role: 'system', content: value.system });
      for (const exchange of value.exchanges) messages.push(...exchange);
      messages.push({ role: 'user', content: value.last });
      const request: OpenAIChatRequest = { model: 'upstream-model', messages, max_tokens: value.maxTokens };
      if (value.tools.length > 0) {
        request.tools = value.tools.map((name, index) => ({
          type: 'function',
          function: { name, ...(value.descriptions[index] ? { description: value.descriptions[index] } : {}), parameters: value.schemas[index]! },
        }));
        request.tool_choice = value.toolChoice === 'named' ? { type: 'function', function: { name: value.tools[0]! } } : value.toolChoice;
        if (value.parallel === false && value.toolChoice !== 'none') request.parallel_tool_calls = false;
      }
      if (value.stop) request.stop = value.stop;
      if (value.temperature !== undefined) request.temperature = value.temperature;
      if (value.topP !== undefined) request.top_p = value.topP;
      if (value.user) request.user = value.user;
      request.stream = value.stream;
      if (value.stream) request.stream_options = { include_usage: true };
      return request;
    }),
);

/** Content that says the same thing in either spelling: one plain text part ≡ a string. */
function normalizeOpenai(request: OpenAIChatRequest): OpenAIChatRequest {
  const messages = request.messages.map((message) => {
    const content = message.content;
    if (Array.isArray(content) && content.length === 1 && content[0]!.type === 'text') return { ...message, content: (content[0] as { text: string }).text };
    return message;
  });
  return { ...request, messages };
}

// ---------- Anthropic → OpenAI → Anthropic ----------

const anthropicUserBlocks: fc.Arbitrary<AnthropicContentBlock[]> = fc.array(
  fc.oneof(
    text.map((value): AnthropicContentBlock => ({ type: 'text', text: value })),
    base64.map((data): AnthropicContentBlock => ({ type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data } })),
    id.map((name): AnthropicContentBlock => ({ type: 'image', source: { type: 'url', url: `https://images.test/${name}.png` } })),
  ),
  { minLength: 1, maxLength: 3 },
);

function anthropicExchange(names: string[]): fc.Arbitrary<AnthropicMessageParam[]> {
  const thinking = fc.array(fc.record({ thinking: text, signature: base64 }), { maxLength: 2 }).map((list) =>
    list.map((item): AnthropicContentBlock => ({ type: 'thinking', ...item })),
  );
  const user = anthropicUserBlocks.map((content): AnthropicMessageParam => ({ role: 'user', content }));
  const answer = fc.tuple(thinking, text).map(([blocks, value]): AnthropicMessageParam[] => [{ role: 'assistant', content: [...blocks, { type: 'text', text: value }] }]);
  if (names.length === 0) return fc.tuple(user, answer).map(([first, rest]) => [first, ...rest]);
  const calls = fc.uniqueArray(fc.record({ id, name: fc.constantFrom(...names), input: argumentsObject, result: text }), {
    minLength: 1,
    maxLength: 3,
    selector: (call) => call.id,
  });
  const toolTurn = fc.tuple(thinking, fc.option(text, { nil: undefined }), calls, fc.option(anthropicUserBlocks, { nil: undefined })).map(
    ([blocks, preamble, list, followUp]): AnthropicMessageParam[] => [
      {
        role: 'assistant',
        content: [
          ...blocks,
          ...(preamble ? [{ type: 'text' as const, text: preamble }] : []),
          ...list.map((call): AnthropicContentBlock => ({ type: 'tool_use', id: call.id, name: call.name, input: call.input })),
        ],
      },
      {
        role: 'user',
        content: [
          ...list.map((call): AnthropicContentBlock => ({ type: 'tool_result', tool_use_id: call.id, content: call.result })),
          ...(followUp ?? []),
        ],
      },
    ],
  );
  return fc.oneof(
    fc.tuple(user, answer).map(([first, rest]) => [first, ...rest]),
    fc.tuple(user, toolTurn).map(([first, rest]) => [first, ...rest]),
  );
}

const anthropicRequest: fc.Arbitrary<AnthropicMessagesRequest> = toolNames.chain((names) =>
  fc
    .record({
      system: fc.option(fc.array(text, { minLength: 1, maxLength: 2 }), { nil: undefined }),
      exchanges: fc.array(anthropicExchange(names), { maxLength: 3 }),
      last: anthropicUserBlocks,
      schemas: fc.array(schema, { minLength: names.length, maxLength: names.length }),
      toolChoice: fc.constantFrom('auto', 'any', 'none', 'tool'),
      noParallel: fc.boolean(),
      stop: fc.option(fc.array(text, { minLength: 1, maxLength: 4 }), { nil: undefined }),
      sampling: fc.option(fc.record({ temperature: fc.double({ min: 0, max: 1, noNaN: true }), topK: fc.integer({ min: 1, max: 100 }) }), { nil: undefined }),
      budget: fc.option(fc.integer({ min: 1024, max: 32000 }), { nil: undefined }),
      maxTokens: fc.integer({ min: 1, max: 64000 }),
      user: fc.option(id, { nil: undefined }),
    })
    .map((value) => {
      // Consecutive same-role turns are one turn to Anthropic (a tool turn ends with a user message), so the
      // generator merges them the way the API would; arrays are copied, generated values are never mutated.
      const messages: AnthropicMessageParam[] = [];
      const append = (message: AnthropicMessageParam): void => {
        const previous = messages[messages.length - 1];
        if (previous && previous.role === message.role) {
          messages[messages.length - 1] = { role: message.role, content: [...(previous.content as AnthropicContentBlock[]), ...(message.content as AnthropicContentBlock[])] };
        } else messages.push(message);
      };
      for (const exchange of value.exchanges) exchange.forEach(append);
      append({ role: 'user', content: value.last });
      const request: AnthropicMessagesRequest = { model: 'upstream-model', messages, max_tokens: value.maxTokens };
      if (value.system) request.system = value.system.map((item) => ({ type: 'text' as const, text: item }));
      if (names.length > 0) {
        request.tools = names.map((name, index) => ({ name, input_schema: value.schemas[index]! }));
        request.tool_choice =
          value.toolChoice === 'none'
            ? { type: 'none' }
            : value.toolChoice === 'tool'
              ? { type: 'tool', name: names[0]!, ...(value.noParallel ? { disable_parallel_tool_use: true } : {}) }
              : { type: value.toolChoice as 'auto' | 'any', ...(value.noParallel ? { disable_parallel_tool_use: true } : {}) };
      }
      if (value.stop) request.stop_sequences = value.stop;
      if (value.budget !== undefined) {
        request.thinking = { type: 'enabled', budget_tokens: value.budget };
        request.max_tokens = value.budget + value.maxTokens;
        if (request.tool_choice && request.tool_choice.type !== 'none') request.tool_choice = { type: 'auto', ...(value.noParallel ? { disable_parallel_tool_use: true } : {}) };
      } else if (value.sampling) {
        request.temperature = value.sampling.temperature;
        request.top_k = value.sampling.topK;
      }
      if (value.user) request.metadata = { user_id: value.user };
      return request;
    }),
);

describe('request round trips (fast-check)', () => {
  it('OpenAI → Anthropic → OpenAI loses nothing both can express', () => {
    fc.assert(
      fc.property(openaiRequest, (request) => {
        const there = openaiChatToAnthropic(request, { model: 'upstream-model', maxTokensDefault: 4096, promptCaching: false });
        assert.deepEqual(there.warnings, []);
        const back = anthropicToOpenaiChat(there.body, { model: 'upstream-model' });
        assert.deepEqual(back.warnings, []);
        assert.deepEqual(normalizeOpenai(back.body), normalizeOpenai(request));
      }),
      { numRuns: 300 },
    );
  });

  it('Anthropic → OpenAI → Anthropic loses nothing both can express (thinking signatures included)', () => {
    fc.assert(
      fc.property(anthropicRequest, (request) => {
        const there = anthropicToOpenaiChat(request, { model: 'upstream-model' });
        assert.deepEqual(there.warnings, []);
        const back = openaiChatToAnthropic(there.body, { model: 'upstream-model', maxTokensDefault: 4096, promptCaching: false });
        assert.deepEqual(back.warnings, []);
        const { stream: _stream, ...rest } = back.body;
        assert.deepEqual(rest, request);
      }),
      { numRuns: 300 },
    );
  });
});
