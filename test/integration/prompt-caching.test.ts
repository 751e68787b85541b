import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';
import type { UsageRecord } from '../../src/usage/types.js';

/** About 20,000 tokens of system prompt (80,000 characters), as a coding agent resends on every turn. */
const SYSTEM_PROMPT = Array.from({ length: 1100 }, (_, index) => `Rule ${index}: keep the code readable, tested and small; explain why, not what.`).join('\n');

describe('automatic prompt caching through translation (OpenAI client → Anthropic upstream)', () => {
  let mock: MockUpstream;
  let gateway: RunningGateway;
  const records: UsageRecord[] = [];
  before(async () => {
    mock = await startMockUpstream({ promptCache: true });
    gateway = await startGateway({
      port: 0,
      env: { ANTHROPIC_API_KEY: 'sk-ant-test', ANTHROPIC_BASE_URL: mock.url, AUTOMODEL_DB: ':memory:' },
      logger: pino({ level: 'silent' }),
      onRecord: (record) => void records.push(record),
    });
  });
  after(async () => {
    await gateway.close();
    await mock.close();
  });

  it('a 10-turn session with a 20k-token prefix reads the cache on turns 2-10, and pays less for it', async (context) => {
    const client = new OpenAI({ baseURL: `${gateway.url}/v1`, apiKey: 'x', maxRetries: 0, defaultHeaders: { 'x-kilocode-mode': 'code' } });
    const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: 'system', content: SYSTEM_PROMPT }];
    const turns: Array<{ cached: number; prompt: number; cost: number }> = [];
    for (let turn = 1; turn <= 10; turn++) {
      messages.push({ role: 'user', content: `Turn ${turn}: change function number ${turn} and run its tests.` });
      const completion = await client.chat.completions.create({ model: 'kilo/auto', messages });
      const usage = completion.usage as OpenAI.CompletionUsage & { cost: number };
      turns.push({ cached: usage.prompt_tokens_details?.cached_tokens ?? 0, prompt: usage.prompt_tokens, cost: usage.cost });
      messages.push({ role: 'assistant', content: completion.choices[0]!.message.content ?? '' });
    }
    context.diagnostic(turns.map((turn, index) => `turn ${index + 1}: ${turn.cached}/${turn.prompt} cached, $${turn.cost.toFixed(5)}`).join('; '));
    assert.equal(turns[0]!.cached, 0, 'turn 1 writes the cache');
    for (const [index, turn] of turns.entries()) {
      if (index === 0) continue;
      assert.ok(turn.cached >= 19_000, `turn ${index + 1} reads the prefix from the cache (${turn.cached} of ${turn.prompt})`);
    }
    // Cost follows the cache: the same prompt without caching would cost the full input price on every turn.
    const sonnet = { input: 3, cacheRead: 0.3, output: 15 };
    for (const turn of turns.slice(1)) {
      const uncached = (turn.prompt * sonnet.input + 20 * sonnet.output) / 1e6;
      assert.ok(turn.cost < uncached / 3, `cost ${turn.cost} is several times below ${uncached}`);
    }
    const stored = records.filter((record) => record.clientProtocol === 'openai-chat');
    assert.equal(stored.length, 10);
    assert.ok(stored.slice(1).every((record) => (record.cacheReadTokens ?? 0) >= 19_000));
    assert.ok((stored[0]!.cacheWriteTokens ?? 0) >= 19_000);
    const total = stored.reduce((sum, record) => sum + record.costUsd!, 0);
    const baseline = stored.reduce((sum, record) => sum + record.baselineCostUsd!, 0);
    assert.ok(total < baseline);
  });
});
