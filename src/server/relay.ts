import type { ServerResponse } from 'node:http';
import { Transform, type TransformCallback } from 'node:stream';
import { GatewayError, toGatewayError } from '../errors.js';
import type { StreamEvent } from '../protocols/stream-events.js';
import {
  anthropicMessageToOpenaiCompletion,
  createAnthropicStreamEncoder,
  createOpenAIStreamEncoder,
  openaiCompletionToAnthropicMessage,
  type StreamEncoder,
} from '../protocols/translate/index.js';
import type { UpstreamResponse } from '../providers/upstream-client.js';
import { UpstreamCallError } from '../providers/upstream-client.js';
import type { NormalizedUsage } from '../usage/types.js';
import { specFor } from './client-protocols/index.js';
import { isRecord, type ResponseContext } from './client-protocols/types.js';
import { scanTopLevel, spliceTopLevel } from './json-scan.js';
import { routingHeaders, type RequestState } from './request-state.js';
import type { StreamDecoding } from './upstream-stream.js';

/** Called once the request's outcome is known; resolves when its usage record is durable. */
export type Recorder = () => Promise<void>;

/** A JSON answer: read whole, usage taken, translated if the client speaks another protocol, then sent after the record. */
export async function relayJson(
  state: RequestState,
  upstream: UpstreamResponse,
  response: ServerResponse,
  context: ResponseContext,
  record: Recorder,
  /** Adds response headers known only once the usage is (the cost). */
  addHeaders: (headers: Record<string, string>) => void,
): Promise<void> {
  const raw = await readAll(upstream, state);
  const served = state.served!;
  const upstreamSpec = specFor(served.protocol);
  let text: Buffer | string;
  if (served.protocol === state.spec.protocol) {
    // Same protocol: the upstream's bytes go back as they came; only `usage` is read, and rewritten if it gains a cost.
    const scan = scanTopLevel(raw);
    if (!scan) throw new GatewayError('upstream_invalid_response', 'The upstream answered 200 with a body that is not a JSON object.');
    const usageRange = scan.members.get('usage');
    let usage: unknown;
    if (usageRange) {
      try {
        usage = JSON.parse(raw.toString('utf8', usageRange.start, usageRange.end));
      } catch {
        throw new GatewayError('upstream_invalid_response', 'The upstream answered 200 with a body that is not JSON.');
      }
    }
    const holder: Record<string, unknown> = { usage };
    state.usage = upstreamSpec.usageFromJson(holder);
    text = state.spec.decorateJson(holder, context) ? spliceTopLevel(raw, scan, { replace: { usage: JSON.stringify(holder.usage) } }) : raw;
  } else {
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new GatewayError('upstream_invalid_response', 'The upstream answered 200 with a body that is not JSON.');
    }
    if (!isRecord(json)) throw new GatewayError('upstream_invalid_response', 'The upstream answered 200 with a JSON body that is not an object.');
    state.usage = upstreamSpec.usageFromJson(json);
    const out =
      state.spec.protocol === 'openai-chat'
        ? (anthropicMessageToOpenaiCompletion(json as never, { model: served.upstreamModel, created: Math.floor(state.startedAt / 1000) }) as unknown as Record<string, unknown>)
        : (openaiCompletionToAnthropicMessage(json as never, { model: served.upstreamModel }) as unknown as Record<string, unknown>);
    state.spec.decorateJson(out, context);
    text = JSON.stringify(out);
  }
  await record();
  if (state.aborted) return;
  const headers = routingHeaders(state, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  addHeaders(headers);
  response.writeHead(200, headers);
  response.end(text);
}

/** The whole upstream body, collected with plain listeners (an async iterator costs more per chunk). */
function readAll(upstream: UpstreamResponse, state: RequestState): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    upstream.body.on('data', (chunk: Buffer) => {
      if (state.ttfbMs === null) state.ttfbMs = performance.now() - state.startedPerf;
      chunks.push(chunk);
      length += chunk.length;
    });
    upstream.body.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, length)));
    upstream.body.once('error', reject);
  });
}

/** Events → client SSE, through the client protocol's encoder, noting usage and errors as they pass. */
class TranslateStream extends Transform {
  usage: NormalizedUsage | null = null;
  error: { errorType: string; message: string } | null = null;
  firstByteAt: number | null = null;
  /** Runs before the closing events go out (see SseTap.beforeEnd). */
  beforeEnd: (() => Promise<void>) | null = null;
  /** Output from the finish event on, held until `beforeEnd` has run. */
  private held: string[] | null = null;

  constructor(
    private readonly decoding: StreamDecoding,
    private readonly encoder: StreamEncoder,
    private readonly decodingEnded: boolean,
  ) {
    super();
  }

  /** Encodes events already decoded (the ones the first-token gate held). */
  encode(events: StreamEvent[]): string {
    let out = '';
    for (const event of events) {
      if (event.type === 'finish') {
        this.usage = event.usage;
        this.held ??= [];
      }
      if (event.type === 'error') this.error = { errorType: event.errorType, message: event.message };
      const encoded = this.encoder.push(event);
      if (this.held) this.held.push(encoded);
      else out += encoded;
    }
    return out;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.firstByteAt === null) this.firstByteAt = performance.now();
    const out = this.encode(this.decoding.push(chunk));
    callback(null, out.length > 0 ? out : undefined);
  }

  override _flush(callback: TransformCallback): void {
    const tail = (this.decodingEnded ? '' : this.encode(this.decoding.end())) + this.encoder.end();
    const release = () => {
      const out = (this.held ?? []).join('') + tail;
      this.held = null;
      callback(null, out.length > 0 ? out : undefined);
    };
    if (this.beforeEnd) this.beforeEnd().then(release, (error: unknown) => callback(error as Error));
    else release();
  }
}

/**
 * A committed stream: headers go out, the bytes the first-token gate held are replayed, and the rest is piped. Same
 * protocol: bytes pass through a tap that only reads usage. Other protocol: decoded and re-encoded. A failure after this
 * point ends the stream with the client protocol's error event; the usage record is written before the last byte.
 */
export function relayStream(
  state: RequestState,
  upstream: UpstreamResponse,
  response: ServerResponse,
  context: ResponseContext,
  gate: { held: Buffer[]; events: StreamEvent[]; ended: boolean; decoding: StreamDecoding },
  record: Recorder,
): Promise<void> {
  const served = state.served!;
  const translating = served.protocol !== state.spec.protocol;
  let transform: Transform;
  let usageOf: () => NormalizedUsage | null;
  let streamErrorOf: () => string | null;
  let firstByteOf: () => number | null;
  if (translating) {
    const encoder =
      state.spec.protocol === 'openai-chat'
        ? createOpenAIStreamEncoder({ id: `chatcmpl-${state.id}`, model: served.upstreamModel, created: Math.floor(state.startedAt / 1000), includeUsage: context.clientWantsStreamUsage })
        : createAnthropicStreamEncoder({ id: `msg_${state.id.replace(/-/g, '')}`, model: served.upstreamModel });
    const translate = new TranslateStream(gate.decoding, encoder, gate.ended);
    const prefix = translate.encode(gate.events);
    if (prefix) translate.push(prefix);
    transform = translate;
    usageOf = () => translate.usage;
    streamErrorOf = () => translate.error?.message ?? null;
    firstByteOf = () => translate.firstByteAt;
    translate.beforeEnd = () => finalize();
  } else {
    const tap = state.spec.createUsageTap(context);
    tap.stream.beforeEnd = () => finalize();
    for (const chunk of gate.held) tap.stream.write(chunk);
    transform = tap.stream;
    usageOf = tap.usage;
    streamErrorOf = tap.streamError;
    firstByteOf = () => tap.stream.firstByteAt;
  }
  state.ttfbMs = performance.now() - state.startedPerf;
  response.writeHead(200, routingHeaders(state, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }));

  /** The stream ended normally: take its usage and outcome, and make the record durable before the last events go out. */
  async function finalize(): Promise<void> {
    state.usage = usageOf();
    const inStreamError = streamErrorOf();
    if (inStreamError && !state.errorCode) {
      state.errorCode = 'upstream_error';
      state.errorMessage = inStreamError;
    }
    await record();
    // The held closing events and the chunked terminator then leave in one write instead of two (see settle).
    if (!state.aborted && !response.destroyed) response.cork();
  }

  return new Promise<void>((resolve) => {
    let settled = false;
    const settle = async (error: unknown) => {
      if (settled) return;
      settled = true;
      state.usage = usageOf();
      if (state.ttfbMs === null && firstByteOf() !== null) state.ttfbMs = firstByteOf()! - state.startedPerf;
      if (state.aborted) {
        upstream.body.destroy();
        await record();
        resolve();
        return;
      }
      const inStreamError = streamErrorOf();
      if (error) {
        const gatewayError = error instanceof UpstreamCallError ? error.toGatewayError() : streamFailure(error);
        state.errorCode = gatewayError.code;
        state.errorMessage = gatewayError.message;
        upstream.body.unpipe(transform);
        transform.unpipe(response);
        upstream.body.destroy();
        response.write(state.spec.streamErrorFrame(gatewayError));
      } else if (inStreamError) {
        state.errorCode = 'upstream_error';
        state.errorMessage = inStreamError;
      }
      await record();
      response.end();
      response.uncork();
      resolve();
    };
    upstream.body.on('error', (error) => void settle(error));
    transform.on('error', (error) => void settle(error));
    transform.on('end', () => void settle(null));
    response.on('close', () => {
      if (!response.writableFinished) void settle(null);
    });
    transform.pipe(response, { end: false });
    if (gate.ended) transform.end();
    else upstream.body.pipe(transform);
  });
}

function streamFailure(error: unknown): GatewayError {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return new GatewayError('upstream_timeout', 'The upstream stream stalled (idle timeout).');
  if (error instanceof GatewayError) return error;
  const gatewayError = toGatewayError(error);
  return gatewayError.code === 'internal_error' ? new GatewayError('upstream_unreachable', 'The upstream connection broke mid-stream.') : gatewayError;
}
