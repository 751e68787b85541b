import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StreamEvent } from '../protocols/stream-events.js';
import { createStreamDecoding } from './upstream-stream.js';

const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: null }], ...extra })}\n\n`;
const OPENAI_STREAM =
  ': OPENROUTER PROCESSING\n\n' +
  chunk({ role: 'assistant', content: '' }) +
  chunk({ content: 'Hello' }) +
  chunk({ content: ' there' }) +
  `data: ${JSON.stringify({ id: 'c1', choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } })}\n\n` +
  'data: [DONE]\n\n';

function decodeAll(pieces: Buffer[], untilCommit: boolean): StreamEvent[] {
  const decoding = createStreamDecoding('openai-chat', { untilCommit });
  const events: StreamEvent[] = [];
  for (const piece of pieces) events.push(...decoding.push(piece));
  events.push(...decoding.end());
  return events;
}

describe('createStreamDecoding', () => {
  it('with untilCommit, yields exactly the full decoding up to the first committing event, however the bytes are cut', () => {
    const bytes = Buffer.from(OPENAI_STREAM);
    const full = decodeAll([bytes], false);
    const firstCommit = full.findIndex((event) => event.type === 'text-delta');
    assert.ok(firstCommit > 0);
    assert.ok(full.some((event) => event.type === 'finish'), 'the full decoding reaches the end');
    const expected = full.slice(0, firstCommit + 1);
    assert.deepEqual(decodeAll([bytes], true), expected);
    for (const size of [1, 7, 64]) {
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      assert.deepEqual(decodeAll(pieces, true), expected, `pieces of ${size} bytes`);
      assert.deepEqual(decodeAll(pieces, false), full, `pieces of ${size} bytes, full`);
    }
  });
});
