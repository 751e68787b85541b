/**
 * Replays recorded upstream streams (`__fixtures__/<case>.openai.chunks.txt`, `<case>.anthropic.events.txt`:
 * one SSE payload per line, `:` lines are SSE comments) through SSE parser → decoder → encoder of the other
 * protocol, and compares the client SSE with `__fixtures__/<case>.expected.<client>.sse.txt`.
 * `UPDATE_FIXTURES=1` rewrites the expected files (review them by eye before committing).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createSseParser } from '../sse.js';
import type { StreamEvent } from '../stream-events.js';
import { createAnthropicStreamDecoder } from './decode-anthropic-stream.js';
import { createOpenAIStreamDecoder } from './decode-openai-stream.js';
import { createAnthropicStreamEncoder } from './encode-anthropic-stream.js';
import { createOpenAIStreamEncoder } from './encode-openai-stream.js';

export const FIXTURE_DIR = join(process.cwd(), 'src/protocols/translate/__fixtures__');

/** Builds upstream SSE wire text from a fixture file's lines. */
export function fixtureToSse(text: string, upstream: 'openai' | 'anthropic', newline = '\n'): string {
  let out = '';
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (line.startsWith(':')) {
      out += `${line}${newline}${newline}`;
      continue;
    }
    if (upstream === 'anthropic') {
      let name: string | undefined;
      try {
        name = (JSON.parse(line) as { type?: string }).type;
      } catch {
        name = undefined;
      }
      if (name) out += `event: ${name}${newline}`;
    }
    out += `data: ${line}${newline}${newline}`;
  }
  return out;
}

/** Runs upstream SSE text (fed in `pieceSize` slices) through decoder and the other protocol's encoder. */
export function replay(sse: string, upstream: 'openai' | 'anthropic', pieceSize: number): { events: StreamEvent[]; output: string } {
  const events: StreamEvent[] = [];
  let output = '';
  const encoder =
    upstream === 'openai'
      ? createAnthropicStreamEncoder({ id: 'msg_gateway_1', model: 'claude-sonnet-4-5' })
      : createOpenAIStreamEncoder({ id: 'chatcmpl-gateway-1', model: 'claude-sonnet-4-5', created: 1732600100, includeUsage: true });
  const emit = (batch: StreamEvent[]): void => {
    for (const event of batch) {
      events.push(event);
      output += encoder.push(event);
    }
  };
  if (upstream === 'openai') {
    const decoder = createOpenAIStreamDecoder();
    const parser = createSseParser((_event, data) => emit(decoder.push(data)));
    for (let offset = 0; offset < sse.length; offset += pieceSize) parser.feed(sse.slice(offset, offset + pieceSize));
    parser.end();
    emit(decoder.end());
  } else {
    const decoder = createAnthropicStreamDecoder();
    const parser = createSseParser((event, data) => emit(decoder.push(event, data)));
    for (let offset = 0; offset < sse.length; offset += pieceSize) parser.feed(sse.slice(offset, offset + pieceSize));
    parser.end();
    emit(decoder.end());
  }
  output += encoder.end();
  return { events, output };
}

/** Every fixture case: name, upstream protocol, input path, expected output path. */
export function fixtureCases(): Array<{ name: string; upstream: 'openai' | 'anthropic'; input: string; expected: string }> {
  const cases: Array<{ name: string; upstream: 'openai' | 'anthropic'; input: string; expected: string }> = [];
  for (const file of readdirSync(FIXTURE_DIR).sort()) {
    if (file.endsWith('.openai.chunks.txt')) {
      const name = file.slice(0, -'.openai.chunks.txt'.length);
      cases.push({ name, upstream: 'openai', input: join(FIXTURE_DIR, file), expected: join(FIXTURE_DIR, `${name}.openai-upstream.expected.anthropic.sse.txt`) });
    } else if (file.endsWith('.anthropic.events.txt')) {
      const name = file.slice(0, -'.anthropic.events.txt'.length);
      cases.push({ name, upstream: 'anthropic', input: join(FIXTURE_DIR, file), expected: join(FIXTURE_DIR, `${name}.anthropic-upstream.expected.openai.sse.txt`) });
    }
  }
  return cases;
}

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
