import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { estimateInputTokens, estimateTextTokens } from '../../src/tokens/estimate.js';
import { textChunks } from '../mock-upstream/scenarios.js';
import { eventually, startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

/** claude-sonnet-4-5 at catalog prices, USD per million tokens (src/catalog/models.ts). */
const SONNET = { input: 3, output: 15 };

const MESSAGES = [
  { role: 'system', content: 'You are a careful engineer. Answer briefly.' },
  { role: 'user', content: 'Explain what a circuit breaker does in a gateway, in two sentences.' },
];

describe('an answer without usage is recorded with estimated tokens, marked estimated, and priced', () => {
  let env: GatewayUnderTest;
  before(async () => {
    // The plain OpenAI provider: its mock answers with usage only when asked; `no-usage` makes it ignore the request.
    env = await startGatewayWithMock(['openai']);
  });
  after(async () => {
    await env.close();
  });

  const post = async (path: string, body: Record<string, unknown>, headers: Record<string, string> = {}) => {
    const response = await fetch(`${env.gateway.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-kilocode-mode': 'code', ...headers },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };

  it('JSON: input from the request body, output from the answer text', async () => {
    env.records.length = 0;
    env.mock.enqueue({ fault: 'no-usage' });
    const body = { model: 'kilo/auto', messages: MESSAGES };
    const result = await post('/v1/chat/completions', body);
    assert.equal(result.status, 200);
    assert.equal(JSON.parse(result.text).usage, undefined);
    await eventually(() => env.records.length === 1);
    const record = env.records[0]!;
    assert.equal(record.tokensEstimated, true);
    assert.equal(record.inputTokens, estimateInputTokens('openai-chat', body));
    assert.equal(record.outputTokens, estimateTextTokens(textChunks(20).join('')));
    assert.ok(record.outputTokens! > 0);
    assert.equal(record.costSource, 'catalog');
    assert.equal(record.costUsd!.toFixed(9), ((record.inputTokens! * SONNET.input + record.outputTokens! * SONNET.output) / 1e6).toFixed(9));
  });

  it('stream: output from the chunks relayed (about one token each)', async () => {
    env.records.length = 0;
    env.mock.enqueue({ fault: 'no-usage' });
    const body = { model: 'kilo/auto', stream: true, messages: MESSAGES };
    const result = await post('/v1/chat/completions', body);
    assert.equal(result.status, 200);
    assert.ok(!result.text.includes('"usage":{'));
    assert.match(result.text, /data: \[DONE\]/);
    await eventually(() => env.records.length === 1);
    const record = env.records[0]!;
    assert.equal(record.tokensEstimated, true);
    assert.equal(record.inputTokens, estimateInputTokens('openai-chat', body));
    assert.equal(record.outputTokens, 20); // the mock's 20 text chunks
    assert.ok(record.costUsd! > 0);
  });

  it('stream cut off mid-answer: what the client got is counted, with the error', async () => {
    env.records.length = 0;
    env.mock.enqueue({ fault: 'drop-mid-stream', afterFrames: 6 });
    const result = await post('/v1/chat/completions', { model: 'kilo/auto', stream: true, messages: MESSAGES });
    assert.equal(result.status, 200);
    await eventually(() => env.records.length === 1);
    const record = env.records[0]!;
    assert.equal(record.errorCode, 'upstream_unreachable');
    assert.equal(record.tokensEstimated, true);
    assert.equal(record.outputTokens, 5); // the role chunk, then 5 text chunks
    assert.ok(record.inputTokens! > 0);
  });

  it('translated stream (Anthropic client, OpenAI upstream): output from the decoded text', async () => {
    env.records.length = 0;
    env.mock.enqueue({ fault: 'no-usage' });
    const body = { model: 'kilo/auto', max_tokens: 256, stream: true, messages: [{ role: 'user', content: MESSAGES[1]!.content }] };
    const result = await post('/v1/messages', body, { 'anthropic-version': '2023-06-01' });
    assert.equal(result.status, 200);
    assert.match(result.text, /event: message_stop/);
    await eventually(() => env.records.length === 1);
    const record = env.records[0]!;
    assert.equal(record.tokensEstimated, true);
    assert.equal(record.inputTokens, estimateInputTokens('anthropic-messages', body));
    assert.equal(record.outputTokens, Math.ceil(textChunks(20).join('').length / 4));
  });

  it('an answer with usage is not estimated', async () => {
    env.records.length = 0;
    const result = await post('/v1/chat/completions', { model: 'kilo/auto', messages: MESSAGES });
    assert.equal(result.status, 200);
    await eventually(() => env.records.length === 1);
    assert.equal(env.records[0]!.tokensEstimated, false);
  });
});
