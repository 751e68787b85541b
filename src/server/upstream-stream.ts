import type { Readable } from 'node:stream';
import { createSseParser } from '../protocols/sse.js';
import type { StreamEvent } from '../protocols/stream-events.js';
import { createAnthropicStreamDecoder, createOpenAIStreamDecoder } from '../protocols/translate/index.js';
import { classifyError, type FailureClass } from '../router/classify-failure.js';
import type { ClientProtocol } from '../usage/types.js';

/** Upstream SSE bytes → StreamEvents, for one response: one TextDecoder, one SSE parser, one protocol decoder. */
export interface StreamDecoding {
  push(chunk: Buffer): StreamEvent[];
  end(): StreamEvent[];
}

/**
 * `untilCommit`: stop decoding once an event that commits the stream has been seen. A same-protocol stream needs its
 * events only for the first-token gate (the bytes then pass through untouched), and decoding the rest of a chunk that
 * holds the whole answer cost more than relaying it.
 */
export function createStreamDecoding(upstreamProtocol: ClientProtocol, options: { untilCommit?: boolean } = {}): StreamDecoding {
  const textDecoder = new TextDecoder();
  let pending: StreamEvent[] = [];
  let stopped = false;
  let decode: (event: string | undefined, data: string) => StreamEvent[];
  let finish: () => StreamEvent[];
  if (upstreamProtocol === 'anthropic-messages') {
    const decoder = createAnthropicStreamDecoder();
    decode = (event, data) => decoder.push(event ?? 'message', data);
    finish = () => decoder.end();
  } else {
    const decoder = createOpenAIStreamDecoder();
    decode = (_event, data) => decoder.push(data);
    finish = () => decoder.end();
  }
  const parser = createSseParser((event, data) => {
    if (stopped) return;
    for (const decoded of decode(event, data)) {
      pending.push(decoded);
      if (options.untilCommit && COMMIT_EVENTS.has(decoded.type)) stopped = true;
    }
  });
  const decoderEnd = (): StreamEvent[] => (stopped ? [] : finish());
  const take = (): StreamEvent[] => {
    const events = pending;
    pending = [];
    return events;
  };
  return {
    push(chunk) {
      if (stopped) return take();
      if (!options.untilCommit) {
        parser.feed(textDecoder.decode(chunk, { stream: true }));
        return take();
      }
      // Event by event (cut after each blank line), so a chunk holding the whole answer is read only up to its first
      // committing event. Feeding the pieces in order is the same as feeding the chunk.
      for (let from = 0; from < chunk.length && !stopped; ) {
        const boundary = chunk.indexOf(EVENT_END, from);
        const end = boundary === -1 ? chunk.length : boundary + EVENT_END.length;
        parser.feed(textDecoder.decode(chunk.subarray(from, end), { stream: true }));
        from = end;
      }
      return take();
    },
    end() {
      parser.feed(textDecoder.decode());
      parser.end();
      pending.push(...decoderEnd());
      return take();
    },
  };
}

const EVENT_END = Buffer.from('\n\n');

/** Events that prove the upstream is really answering: after one of these, the response is committed to the client. */
const COMMIT_EVENTS = new Set<StreamEvent['type']>(['text-delta', 'reasoning-delta', 'reasoning-signature', 'reasoning-redacted', 'tool-input-start', 'finish']);

/** Past this much held data the stream is committed whatever it holds (a long preamble is not a fault). */
const MAX_HELD_BYTES = 256 * 1024;

export type GateResult =
  | { kind: 'commit'; held: Buffer[]; events: StreamEvent[]; ended: boolean }
  | { kind: 'failure'; failureClass: FailureClass; message: string; errorType?: string };

/** Error types (Anthropic's vocabulary, which the decoders use) → failure class. */
export function failureClassOfErrorType(errorType: string): FailureClass {
  switch (errorType) {
    case 'overloaded_error':
      return 'overloaded';
    case 'rate_limit_error':
      return 'rate-limit';
    case 'invalid_request_error':
    case 'authentication_error':
    case 'permission_error':
    case 'not_found_error':
    case 'request_too_large':
      return 'client';
    default:
      return 'server';
  }
}

/**
 * Holds an upstream stream until its first real token (or its end), so that an upstream that sends headers and then an
 * error event, nothing, or stalls can still be fallen back from: nothing has reached the client yet. The body is paused
 * again on return; the caller replays `held` and pipes the rest.
 */
export function awaitFirstToken(body: Readable, decoding: StreamDecoding, timeoutMs: number): Promise<GateResult> {
  return new Promise((resolve) => {
    const held: Buffer[] = [];
    const events: StreamEvent[] = [];
    let heldBytes = 0;
    let done = false;
    const finish = (result: GateResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.pause();
      resolve(result);
    };
    const inspect = (fresh: StreamEvent[], ended: boolean) => {
      for (const event of fresh) {
        if (event.type === 'error') {
          return finish({ kind: 'failure', failureClass: failureClassOfErrorType(event.errorType), message: event.message, errorType: event.errorType });
        }
        events.push(event);
        if (COMMIT_EVENTS.has(event.type)) return finish({ kind: 'commit', held, events, ended });
      }
      if (ended) finish({ kind: 'failure', failureClass: 'server', message: 'The upstream stream ended before any content.' });
      else if (heldBytes > MAX_HELD_BYTES) finish({ kind: 'commit', held, events, ended });
    };
    const onData = (chunk: Buffer) => {
      held.push(chunk);
      heldBytes += chunk.length;
      inspect(decoding.push(chunk), false);
    };
    const onEnd = () => inspect(decoding.end(), true);
    const onError = (error: unknown) => finish({ kind: 'failure', failureClass: classifyError(error), message: 'The upstream connection broke before the first token.' });
    const timer = setTimeout(
      () => finish({ kind: 'failure', failureClass: 'timeout', message: `The upstream sent no token within ${timeoutMs} ms.` }),
      timeoutMs,
    );
    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
  });
}
