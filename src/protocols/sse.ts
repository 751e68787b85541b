/**
 * SSE framing for upstream streams, on eventsource-parser's callback parser. It handles `: ping` comments,
 * CRLF/CR line endings, events split across network chunks and multi-line `data:`, so decoders only ever see
 * one complete event at a time.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';

/** Receives one complete SSE event: its `event:` name (undefined when absent) and its joined `data:` text. */
export type SseEventHandler = (event: string | undefined, data: string) => void;

/** A push-style SSE parser: feed decoded text as it arrives, call `end()` once the upstream body ends. */
export interface SseParser {
  /** Feeds the next piece of decoded text (any split: mid-line, mid-event, several events). */
  feed(text: string): void;
  /** Dispatches a final event the upstream left unterminated (no blank line before EOF), then resets. */
  end(): void;
}

/**
 * Creates an SSE parser. Comments (`: ping`, OpenRouter's `: OPENROUTER PROCESSING`) and `retry:` fields are
 * ignored. Note: feed it text from one `TextDecoder` with `{stream: true}` so multi-byte characters split
 * across Buffers decode correctly.
 */
export function createSseParser(onEvent: SseEventHandler): SseParser {
  const parser: EventSourceParser = createParser({
    onEvent(message) {
      onEvent(message.event, message.data);
    },
  });
  return {
    feed(text: string): void {
      parser.feed(text);
    },
    end(): void {
      parser.reset({ consume: true });
    },
  };
}

/** Formats one SSE event frame. `event` is omitted when undefined (OpenAI style). */
export function formatSseEvent(event: string | undefined, data: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}
