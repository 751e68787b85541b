import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { estimateInputTokens, estimateTextTokens } from './estimate.js';

const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather in a given location',
  input_schema: {
    type: 'object',
    properties: { location: { type: 'string', description: 'The city and state, e.g. San Francisco, CA' } },
    required: ['location'],
  },
};

/** Relative error of an estimate against a known count. */
function relativeError(estimate: number, known: number): number {
  return Math.abs(estimate - known) / known;
}

describe('estimateInputTokens against documented counts', () => {
  it("Anthropic's basic count_tokens example (14 tokens)", () => {
    const estimate = estimateInputTokens('anthropic-messages', { system: 'You are a scientist', messages: [{ role: 'user', content: 'Hello, Claude' }] });
    assert.equal(estimate, 14);
  });
  it("Anthropic's get_weather tool example (403 tokens): within 5%", () => {
    const estimate = estimateInputTokens('anthropic-messages', { tools: [weatherTool], messages: [{ role: 'user', content: "What's the weather like in San Francisco?" }] });
    assert.equal(estimate, 418);
    assert.ok(relativeError(estimate, 403) < 0.05);
  });
  it('English prose is within 15% of the 4-characters-per-token rule of thumb', () => {
    const prose =
      'Tokens are the basic units that language models read and write; a token is roughly four characters of English text, or about three quarters of a word, although the exact split depends on the tokenizer and the language being processed.';
    assert.ok(relativeError(estimateTextTokens(prose), prose.length / 4) < 0.15);
  });
});

describe('estimateInputTokens coverage', () => {
  it('counts the same conversation the same in both protocols', () => {
    const anthropic = estimateInputTokens('anthropic-messages', {
      system: 'Be brief.',
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'get_weather', input: { location: 'Paris' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: '18C and sunny' }] },
      ],
    });
    const openai = estimateInputTokens('openai-chat', {
      tools: [{ type: 'function', function: { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.input_schema } }],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Weather in Paris?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris"}' } }] },
        { role: 'tool', tool_call_id: 't1', content: '18C and sunny' },
      ],
    });
    // The OpenAI shape has one more message (system is a message there), so up to one message of framing apart.
    assert.ok(Math.abs(anthropic - openai) <= 5, `${anthropic} vs ${openai}`);
  });
  it('counts thinking blocks, tool inputs and tool results', () => {
    const base = { messages: [{ role: 'user', content: 'go' }] };
    const withThinking = {
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'thinking', thinking: 'Let me think about this problem carefully, step by step.', signature: 'x'.repeat(400) }] },
      ],
    };
    const thinkingTokens = estimateInputTokens('anthropic-messages', withThinking) - estimateInputTokens('anthropic-messages', base);
    assert.ok(thinkingTokens >= 14 && thinkingTokens < 30, String(thinkingTokens)); // the signature is not text
    const bigInput = { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'write', input: { content: 'word '.repeat(1000) } }] }] };
    assert.ok(estimateInputTokens('anthropic-messages', bigInput) > 1000);
  });
  it('charges images by PNG size (width × height / 750, capped at 1600)', () => {
    // A 200×100 PNG header: 20000 / 750 → 27 tokens.
    const header = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 200, 0, 0, 0, 100]);
    const png = btoa(String.fromCharCode(...header)) + 'AAAAAAAA';
    const small = estimateInputTokens('anthropic-messages', { messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }] }] });
    assert.equal(small, 1 + 4 + 27);
    const viaUrl = estimateInputTokens('openai-chat', { messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://x.test/a.jpg' } }] }] });
    assert.equal(viaUrl, 1 + 4 + 1600);
  });
  it('handles CJK, emoji, odd bodies and the Responses shape without throwing', () => {
    assert.equal(estimateTextTokens('你好世界'), 4);
    assert.ok(estimateTextTokens('👋🏽') >= 2);
    assert.equal(estimateTextTokens(''), 0);
    assert.ok(estimateInputTokens('openai-chat', null) >= 0);
    assert.ok(estimateInputTokens('openai-chat', { messages: 'nope' }) >= 0);
    assert.ok(estimateInputTokens('openai-responses', { instructions: 'Be brief.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'hi there' }] }] }) > 5);
  });
  // Its speed is a row of `npm run bench` (a timed assertion here failed on a loaded machine).
  it('counts 1 MB of code between 2 and 5 characters a token', () => {
    const text = 'const value = items.map((item) => item.id * 2); // comment\n'.repeat(17000);
    const tokens = estimateTextTokens(text);
    assert.ok(tokens > text.length / 5 && tokens < text.length / 2, String(tokens));
  });
});
