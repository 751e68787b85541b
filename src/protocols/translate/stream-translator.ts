/**
 * One object per translated response: upstream SSE text in, client SSE text out.
 * `upstream text → SSE parser → decoder → StreamEvent → encoder → client text`, all state in closures.
 * The caller wraps it in its stream of choice (a Node Transform: `transform` → `feed`, `flush` → `end`) and
 * feeds text from one `TextDecoder` used with `{stream: true}`.
 */
import type { NormalizedUsage } from '../../usage/types.js';
import { createSseParser } from '../sse.js';
import type { FinishReason, StreamEvent } from '../stream-events.js';
import { createAnthropicStreamDecoder } from './decode-anthropic-stream.js';
import { createOpenAIStreamDecoder } from './decode-openai-stream.js';
import { createAnthropicStreamEncoder } from './encode-anthropic-stream.js';
import { createOpenAIStreamEncoder, type StreamEncoder } from './encode-openai-stream.js';

/** The two protocols a translated stream can connect. */
export type StreamProtocol = 'openai-chat' | 'anthropic-messages';

/** Options for {@link createStreamTranslator}. */
export interface StreamTranslatorOptions {
  upstream: StreamProtocol;
  client: StreamProtocol;
  /** Id the client sees (`chatcmpl-…` / `msg_…`). */
  id: string;
  /** The concrete model that serves the request. */
  model: string;
  /** Unix seconds (OpenAI clients only). */
  created: number;
  /** OpenAI clients: the client asked for `stream_options.include_usage`. */
  includeUsage: boolean;
  /** Observes every event (usage tap, metrics); must not throw. */
  onEvent?: (event: StreamEvent) => void;
}

/** A running translation. */
export interface StreamTranslator {
  /** Feeds upstream text; returns the client bytes it produced (possibly ''). */
  feed(text: string): string;
  /** The upstream ended: returns the closing client bytes (finish or error frame). Idempotent. */
  end(): string;
  /** Final usage once a finish event passed, else null. */
  readonly usage: NormalizedUsage | null;
  readonly finishReason: FinishReason | null;
  /** The error event, if the stream failed. */
  readonly error: { errorType: string; message: string } | null;
}

/** Creates a translator for one response. Same-protocol traffic should be piped through untouched instead. */
export function createStreamTranslator(options: StreamTranslatorOptions): StreamTranslator {
  const encoder: StreamEncoder =
    options.client === 'openai-chat'
      ? createOpenAIStreamEncoder({ id: options.id, model: options.model, created: options.created, includeUsage: options.includeUsage })
      : createAnthropicStreamEncoder({ id: options.id, model: options.model });
  let output = '';
  let usage: NormalizedUsage | null = null;
  let finishReason: FinishReason | null = null;
  let error: { errorType: string; message: string } | null = null;
  let ended = false;
  const emit = (events: StreamEvent[]): void => {
    for (const event of events) {
      if (event.type === 'finish') {
        usage = event.usage;
        finishReason = event.finishReason;
      } else if (event.type === 'error') {
        error = { errorType: event.errorType, message: event.message };
      }
      options.onEvent?.(event);
      output += encoder.push(event);
    }
  };
  let decoderEnd: () => StreamEvent[];
  let parser: ReturnType<typeof createSseParser>;
  if (options.upstream === 'openai-chat') {
    const decoder = createOpenAIStreamDecoder();
    parser = createSseParser((_event, data) => emit(decoder.push(data)));
    decoderEnd = () => decoder.end();
  } else {
    const decoder = createAnthropicStreamDecoder();
    parser = createSseParser((event, data) => emit(decoder.push(event, data)));
    decoderEnd = () => decoder.end();
  }
  const take = (): string => {
    const text = output;
    output = '';
    return text;
  };
  return {
    feed(text: string): string {
      if (ended) return '';
      parser.feed(text);
      return take();
    },
    end(): string {
      if (ended) return '';
      ended = true;
      parser.end();
      emit(decoderEnd());
      output += encoder.end();
      return take();
    },
    get usage() {
      return usage;
    },
    get finishReason() {
      return finishReason;
    },
    get error() {
      return error;
    },
  };
}
