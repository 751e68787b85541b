import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { eventually, startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

const TOOLS_OPENAI: OpenAI.ChatCompletionFunctionTool[] = [
  { type: 'function', function: { name: 'read_file', description: 'Read a file', parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } } },
  { type: 'function', function: { name: 'list_files', description: 'List files', parameters: { type: 'object', properties: { path: { type: 'string' }, recursive: { type: 'boolean' } } } } },
];
const TOOLS_ANTHROPIC: Anthropic.Tool[] = TOOLS_OPENAI.map((tool) => ({
  name: tool.function.name,
  description: tool.function.description!,
  input_schema: tool.function.parameters as Anthropic.Tool.InputSchema,
}));

describe('Anthropic SDK client → OpenAI-compatible (OpenRouter) upstream, translated', () => {
  let env: GatewayUnderTest;
  let client: Anthropic;
  before(async () => {
    env = await startGatewayWithMock(['openrouter']);
    client = new Anthropic({ baseURL: env.url, apiKey: 'client-key', maxRetries: 0, defaultHeaders: { 'x-kilocode-mode': 'plan' } });
  });
  after(async () => {
    await env.close();
  });

  it('JSON: text answer, model is the concrete one, usage mapped', async () => {
    const message = await client.messages.create({ model: 'kilo/auto', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(message.type, 'message');
    assert.equal(message.model, 'anthropic/claude-opus-4.5');
    assert.match((message.content[0] as Anthropic.TextBlock).text, /mock/);
    assert.equal(message.usage.input_tokens, 100);
    assert.equal(message.usage.output_tokens, 20);
    const upstreamBody = env.mock.calls.at(-1)!.body as { model: string; messages: unknown[] };
    assert.equal(upstreamBody.model, 'anthropic/claude-opus-4.5');
    assert.ok(env.mock.calls.at(-1)!.path.endsWith('/chat/completions'));
  });

  it('SSE: the SDK\'s stream parser accepts every event and assembles the message', async () => {
    const stream = client.messages.stream({ model: 'kilo/auto', max_tokens: 256, messages: [{ role: 'user', content: 'hi' }] });
    const message = await stream.finalMessage();
    assert.equal((message.content[0] as Anthropic.TextBlock).text, Array(20).fill('mock').join(' '));
    assert.equal(message.stop_reason, 'end_turn');
    assert.equal(message.usage.output_tokens, 20);
    await eventually(() => env.records.some((record) => record.streamed && record.clientProtocol === 'anthropic-messages' && record.outputTokens === 20));
  });

  it('SSE from an upstream that ends without data: [DONE]: blocks close before message_delta and message_stop', async () => {
    env.mock.enqueue({ fault: 'no-terminal', chunks: 3 });
    const response = await fetch(`${env.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-kilocode-mode': 'plan' },
      body: JSON.stringify({ model: 'kilo/auto', max_tokens: 64, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const names = [...(await response.text()).matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    const tail = names.filter((name) => name !== 'content_block_delta' && name !== 'ping');
    assert.deepEqual(tail, ['message_start', 'content_block_start', 'content_block_stop', 'message_delta', 'message_stop']);
  });

  for (const stream of [false, true]) {
    it(`multi-turn tool loop (tool call → tool result → answer), stream=${stream}`, async () => {
      env.mock.enqueue({ scenario: 'tool-calls' }, { scenario: 'text' });
      const messages: Anthropic.MessageParam[] = [{ role: 'user', content: 'look at the server' }];
      const first = stream
        ? await client.messages.stream({ model: 'kilo/auto', max_tokens: 512, tools: TOOLS_ANTHROPIC, messages }).finalMessage()
        : await client.messages.create({ model: 'kilo/auto', max_tokens: 512, tools: TOOLS_ANTHROPIC, messages });
      assert.equal(first.stop_reason, 'tool_use');
      const toolUses = first.content.filter((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
      assert.deepEqual(
        toolUses.map((block) => [block.name, block.input]),
        [
          ['read_file', { path: 'src/server/app.ts' }],
          ['list_files', { path: 'test', recursive: true }],
        ],
      );
      messages.push({ role: 'assistant', content: first.content });
      messages.push({ role: 'user', content: toolUses.map((block) => ({ type: 'tool_result' as const, tool_use_id: block.id, content: `contents of ${block.name}` })) });
      const second = await client.messages.create({ model: 'kilo/auto', max_tokens: 512, tools: TOOLS_ANTHROPIC, messages });
      assert.equal(second.stop_reason, 'end_turn');
      // The upstream saw the tool results as OpenAI tool messages with the same ids.
      const upstream = env.mock.calls.at(-1)!.body as { messages: Array<{ role: string; tool_call_id?: string; tool_calls?: Array<{ id: string }> }> };
      const assistant = upstream.messages.find((message) => message.role === 'assistant')!;
      const results = upstream.messages.filter((message) => message.role === 'tool');
      assert.deepEqual(results.map((message) => message.tool_call_id), assistant.tool_calls!.map((call) => call.id));
      assert.deepEqual(results.map((message) => message.tool_call_id), toolUses.map((block) => block.id));
    });
  }

  it('an upstream error comes back in Anthropic\'s shape through the SDK', async () => {
    env.mock.enqueue({ fault: 'status', status: 400, errorMessage: 'bad tool schema' });
    await assert.rejects(client.messages.create({ model: 'kilo/auto', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof Anthropic.BadRequestError);
      assert.match(String(error.message), /bad tool schema/);
      return true;
    });
  });
});

describe('OpenAI SDK client → Anthropic upstream, translated', () => {
  let env: GatewayUnderTest;
  let client: OpenAI;
  before(async () => {
    env = await startGatewayWithMock(['anthropic']);
    client = new OpenAI({ baseURL: `${env.url}/v1`, apiKey: 'client-key', maxRetries: 0, defaultHeaders: { 'x-kilocode-mode': 'code' } });
  });
  after(async () => {
    await env.close();
  });

  it('JSON: reaches claude-sonnet-4-5 at Anthropic with x-api-key and anthropic-version; usage carries cost', async () => {
    env.mock.enqueue({ usage: { input: 500, output: 100, cacheRead: 2000, cacheWrite: 300 } });
    const completion = await client.chat.completions.create({ model: 'kilo/auto', messages: [{ role: 'system', content: 'be brief' }, { role: 'user', content: 'hi' }] });
    assert.equal(completion.model, 'claude-sonnet-4-5');
    assert.match(completion.choices[0]!.message.content!, /mock/);
    const call = env.mock.calls.at(-1)!;
    assert.ok(call.path.endsWith('/v1/messages'));
    assert.equal(call.headers['x-api-key'], 'sk-ant-test-secret-0123456789');
    assert.ok(call.headers['anthropic-version']);
    const body = call.body as { system: unknown; max_tokens: number; model: string };
    assert.equal(body.model, 'claude-sonnet-4-5');
    assert.ok(body.max_tokens > 0);
    // prompt_tokens includes cache reads and writes; cost at Sonnet 4.5 prices.
    assert.equal(completion.usage!.prompt_tokens, 2800);
    const expected = (500 * 3 + 100 * 15 + 2000 * 0.3 + 300 * 3.75) / 1e6;
    assert.equal((completion.usage as unknown as { cost: number }).cost, expected);
  });

  it('adds prompt-caching breakpoints to a translated request that has none', async () => {
    await client.chat.completions.create({
      model: 'kilo/auto',
      messages: [
        { role: 'system', content: 'a long system prompt' },
        { role: 'user', content: 'hi' },
      ],
      tools: TOOLS_OPENAI,
    });
    const text = env.mock.calls.at(-1)!.rawBody;
    const breakpoints = text.split('"cache_control"').length - 1;
    assert.ok(breakpoints >= 2 && breakpoints <= 4, `breakpoints: ${breakpoints}`);
  });

  it('SSE: streamed text and usage through the openai SDK', async () => {
    const stream = await client.chat.completions.create({ model: 'kilo/auto', messages: [{ role: 'user', content: 'hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      assert.equal(chunk.model, 'claude-sonnet-4-5');
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    assert.equal(text, Array(20).fill('mock').join(' '));
    assert.equal(usage?.completion_tokens, 20);
  });

  for (const stream of [false, true]) {
    it(`multi-turn tool loop with thinking round-tripped, stream=${stream}`, async () => {
      env.mock.enqueue({ scenario: 'thinking-tool' }, { scenario: 'text' });
      const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'user', content: 'look at the server' }];
      let assistant: OpenAI.ChatCompletionMessage;
      if (stream) {
        const runner = client.chat.completions.stream({ model: 'kilo/auto', messages, tools: TOOLS_OPENAI });
        const completion = await runner.finalChatCompletion();
        assistant = completion.choices[0]!.message;
        assert.equal(completion.choices[0]!.finish_reason, 'tool_calls');
      } else {
        const completion = await client.chat.completions.create({ model: 'kilo/auto', messages, tools: TOOLS_OPENAI });
        assistant = completion.choices[0]!.message;
        assert.equal(completion.choices[0]!.finish_reason, 'tool_calls');
      }
      const calls = assistant.tool_calls!.filter((call) => call.type === 'function');
      assert.equal(calls[0]!.function.name, 'read_file');
      assert.deepEqual(JSON.parse(calls[0]!.function.arguments), { path: 'src/server/app.ts' });
      messages.push(assistant as OpenAI.ChatCompletionMessageParam);
      for (const call of calls) messages.push({ role: 'tool', tool_call_id: call.id, content: 'file contents' });
      const second = await client.chat.completions.create({ model: 'kilo/auto', messages, tools: TOOLS_OPENAI });
      assert.equal(second.choices[0]!.finish_reason, 'stop');
      // The thinking block with its signature went back to Anthropic before the tool_use, and the ids survived.
      const upstream = env.mock.calls.at(-1)!.body as { messages: Array<{ role: string; content: Array<{ type: string; signature?: string; id?: string; tool_use_id?: string }> }> };
      const assistantTurn = upstream.messages.find((message) => message.role === 'assistant')!;
      assert.equal(assistantTurn.content[0]!.type, 'thinking');
      assert.ok(assistantTurn.content[0]!.signature);
      const toolUseIds = assistantTurn.content.filter((block) => block.type === 'tool_use').map((block) => block.id);
      const resultIds = upstream.messages.at(-1)!.content.filter((block) => block.type === 'tool_result').map((block) => block.tool_use_id);
      assert.deepEqual(resultIds, toolUseIds);
      assert.deepEqual(toolUseIds, calls.map((call) => call.id));
    });
  }

  it('Anthropic 529 overloaded on every attempt → 529 in OpenAI\'s shape', async () => {
    env.mock.enqueue({ fault: 'status', status: 529 }, { fault: 'status', status: 529 }, { fault: 'status', status: 529 });
    await assert.rejects(client.chat.completions.create({ model: 'kilo/auto', messages: [{ role: 'user', content: 'x' }] }), (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError);
      assert.equal(error.status, 529);
      return true;
    });
  });
});
