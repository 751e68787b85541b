import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixtureCases, fixtureToSse } from '../testing/fixture-replay.js';
import { createStreamTranslator } from './stream-translator.js';

describe('createStreamTranslator', () => {
  for (const fixture of fixtureCases()) {
    it(`matches the reviewed fixture output: ${fixture.upstream} ${fixture.name}`, () => {
      const sse = fixtureToSse(readFileSync(fixture.input, 'utf8'), fixture.upstream);
      const translator = createStreamTranslator({
        upstream: fixture.upstream === 'openai' ? 'openai-chat' : 'anthropic-messages',
        client: fixture.upstream === 'openai' ? 'anthropic-messages' : 'openai-chat',
        id: fixture.upstream === 'openai' ? 'msg_gateway_1' : 'chatcmpl-gateway-1',
        model: 'claude-sonnet-4-5',
        created: 1732600100,
        includeUsage: true,
      });
      let output = '';
      for (let offset = 0; offset < sse.length; offset += 64) output += translator.feed(sse.slice(offset, offset + 64));
      output += translator.end();
      assert.equal(translator.end(), '');
      assert.equal(output, readFileSync(fixture.expected, 'utf8'));
      assert.ok((translator.usage === null) !== (translator.error === null), 'exactly one of usage / error');
    });
  }
});
