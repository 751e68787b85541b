/**
 * Replays recorded upstream streams (`__fixtures__/<case>.openai.chunks.txt`, `<case>.anthropic.events.txt`:
 * one SSE payload per line, `:` lines are SSE comments) through SSE parser → decoder → encoder of the other
 * protocol, and compares the client SSE with `__fixtures__/<case>.expected.<client>.sse.txt`.
 * `UPDATE_FIXTURES=1` rewrites the expected files (review them by eye before committing).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fixtureCases, fixtureToSse, replay } from '../testing/fixture-replay.js';

describe('recorded stream fixtures', () => {
  for (const fixture of fixtureCases()) {
    it(`${fixture.upstream} upstream: ${fixture.name}`, () => {
      const source = readFileSync(fixture.input, 'utf8');
      const whole = replay(fixtureToSse(source, fixture.upstream), fixture.upstream, 1 << 20);
      // Same stream with CRLF line endings, fed 7 characters at a time: framing must not change the output.
      const split = replay(fixtureToSse(source, fixture.upstream, '\r\n'), fixture.upstream, 7);
      assert.equal(split.output, whole.output);
      if (process.env.UPDATE_FIXTURES === '1' || !existsSync(fixture.expected)) {
        writeFileSync(fixture.expected, whole.output);
      }
      assert.equal(whole.output, readFileSync(fixture.expected, 'utf8'));
      // Invariants: exactly one terminal event, and it is the last one.
      const terminal = whole.events.filter((event) => event.type === 'finish' || event.type === 'error');
      assert.equal(terminal.length, 1);
      assert.equal(whole.events[whole.events.length - 1], terminal[0]);
    });
  }
});
