/**
 * Test support: replays recorded upstream stream fixtures through the SSE parser, a decoder and the other
 * protocol's encoder. Used by the fixture snapshot tests and the SDK compatibility tests. Not for production.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createSseParser } from '../sse.js';
import type { StreamEvent } from '../stream-events.js';
import { createAnthropicStreamDecoder } from '../translate/decode-anthropic-stream.js';
import { createOpenAIStreamDecoder } from '../translate/decode-openai-stream.js';
import { createAnthropicStreamEncoder } from '../translate/encode-anthropic-stream.js';
import { createOpenAIStreamEncoder } from '../translate/encode-openai-stream.js';

/** Where the fixtures live, relative to the repo root (tests run from there). */
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
