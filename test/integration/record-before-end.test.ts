import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openUsageStore, type UsageStore } from '../../src/usage/store.js';
import type { UsageRecord } from '../../src/usage/types.js';
import { startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';

/**
 * A client that saw a stream's last event must find the request stored: the usage record is made durable before the
 * terminal event (`data: [DONE]`, `event: message_stop`) leaves the gateway. Checked at the moment the client reads it.
 */
describe('the usage record is durable before a stream\'s terminal event', () => {
  let env: GatewayUnderTest;
  before(async () => {
    // A store that takes its time (as PostgreSQL across a network would): the terminal event must wait for it.
    const store = await openUsageStore({ sqlitePath: ':memory:' });
    const slowStore: UsageStore = Object.assign(Object.create(store) as UsageStore, {
      record: async (record: UsageRecord) => {
        await new Promise((resolve) => setTimeout(resolve, 40));
        await store.record(record);
      },
      close: () => store.close(),
    });
    env = await startGatewayWithMock(['anthropic', 'openrouter'], {}, { store: slowStore });
  });
  after(async () => {
    await env.close();
  });

  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['OpenAI pass-through', '/v1/chat/completions', { model: 'anthropic/claude-sonnet-4.5', stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'data: [DONE]'],
    ['Anthropic pass-through', '/v1/messages', { model: 'kilo/auto', stream: true, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] }, 'event: message_stop'],
    ['OpenAI client, Anthropic upstream (translated)', '/v1/chat/completions', { model: 'kilo/auto', stream: true, messages: [{ role: 'user', content: 'hi' }] }, 'data: [DONE]'],
  ];
  for (const [name, path, body, terminal] of cases) {
    it(name, async () => {
      const response = await fetch(`${env.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-kilocode-mode': 'code' },
        body: JSON.stringify(body),
      });
      const id = response.headers.get('x-automodel-request-id')!;
      const reader = response.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let storedWhenTerminalArrived: boolean | undefined;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (storedWhenTerminalArrived === undefined && text.includes(terminal)) {
          storedWhenTerminalArrived = env.records.some((record) => record.id === id);
        }
      }
      assert.equal(storedWhenTerminalArrived, true, `the record of ${id} was stored when ${terminal} arrived`);
      const record = env.records.find((entry) => entry.id === id)!;
      assert.equal(record.outputTokens, 20, 'with the stream\'s usage');
    });
  }
});
