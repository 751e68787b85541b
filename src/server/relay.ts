import type { ServerResponse } from 'node:http';
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
import { estimateTextTokens } from '../tokens/estimate.js';
import type { NormalizedUsage } from '../usage/types.js';
import { specFor } from './client-protocols/index.js';
import { isRecord, type ResponseContext } from './client-protocols/types.js';
import { scanTopLevel, spliceTopLevel } from './json-scan.js';
import { routingHeaders, type RequestState } from './request-state.js';
import type { StreamRelay } from './sse-tap.js';
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
    if (!hasTokens(state.usage)) state.answerTokens = answerTokensOfJson(raw);
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
    if (!hasTokens(state.usage)) state.answerTokens = answerTokensOf(json);
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

/** Whether the upstream reported any token count (a decoder's usage may be present with every count null). */
export function hasTokens(usage: NormalizedUsage | null): boolean {
  return usage !== null && (usage.inputTokens !== null || usage.outputTokens !== null);
}

/** The output tokens of an answer that came without usage (either protocol), estimated from its text. */
function answerTokensOfJson(raw: Buffer): number | null {
  try {
    const json: unknown = JSON.parse(raw.toString('utf8'));
    return isRecord(json) ? answerTokensOf(json) : null;
  } catch {
    return null;
  }
}

function answerTokensOf(json: Record<string, unknown>): number {
  const texts: string[] = [];
  const add = (value: unknown): void => {
    if (typeof value === 'string') texts.push(value);
    else if (value !== undefined && value !== null) texts.push(JSON.stringify(value));
  };
  // OpenAI: choices[].message with content, reasoning and tool calls.
  for (const choice of Array.isArray(json.choices) ? json.choices : []) {
    const message = isRecord(choice) && isRecord(choice.message) ? choice.message : undefined;
    if (!message) continue;
    add(message.content);
    add(message.reasoning ?? message.reasoning_content);
    for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
      if (isRecord(call) && isRecord(call.function)) add(call.function.arguments);
    }
  }
  // Anthropic: content blocks of text, thinking and tool input.
  for (const block of Array.isArray(json.content) ? json.content : []) {
    if (!isRecord(block)) continue;
    add(block.text ?? block.thinking ?? block.input);
  }
  return estimateTextTokens(texts.join('\n'));
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
class TranslateRelay implements StreamRelay {
  usage: NormalizedUsage | null = null;
  error: { errorType: string; message: string } | null = null;
  firstByteAt: number | null = null;
  /** Output from the finish event on, held for `end`. */
  private held: string[] | null = null;
  /** Characters of text, reasoning and tool input decoded so far. */
  private answerChars = 0;

  constructor(
    private readonly decoding: StreamDecoding,
    private readonly encoder: StreamEncoder,
    private readonly decodingEnded: boolean,
  ) {}

  /** Encodes events already decoded (the ones the first-token gate held); returns what may go out now. */
  encode(events: StreamEvent[]): string {
    let out = '';
    for (const event of events) {
      if (event.type === 'finish') {
        this.usage = event.usage;
        this.held ??= [];
      }
      if (event.type === 'error') this.error = { errorType: event.errorType, message: event.message };
      else if (event.type === 'text-delta' || event.type === 'reasoning-delta') this.answerChars += event.text.length;
      else if (event.type === 'tool-input-delta') this.answerChars += event.partialJson.length;
      const encoded = this.encoder.push(event);
      if (this.held) this.held.push(encoded);
      else out += encoded;
    }
    return out;
  }

  /** The decoded answer's characters at about four a token. */
  answerTokens(): number {
    return Math.ceil(this.answerChars / 4);
  }

  push(chunk: Buffer): string | undefined {
    if (this.firstByteAt === null) this.firstByteAt = performance.now();
    const out = this.encode(this.decoding.push(chunk));
    return out.length > 0 ? out : undefined;
  }

  end(): string | undefined {
    // What the decoder still had before the finish event, then the held closing events, then the encoder's last words.
    const before = this.decodingEnded ? '' : this.encode(this.decoding.end());
    const out = before + (this.held ?? []).join('') + this.encoder.end();
    this.held = null;
    return out.length > 0 ? out : undefined;
  }
}

/**
 * A committed stream: headers go out, the bytes the first-token gate held are replayed, and the rest is relayed chunk by
 * chunk with plain listeners and manual backpressure (no Transform and pipes: their machinery cost more per response than
 * the relay's own work). Same protocol: bytes pass through a tap that only reads usage. Other protocol: decoded and
 * re-encoded. A failure after this point ends the stream with the client protocol's error event; the usage record is
 * durable before the closing events go out.
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
  let relay: StreamRelay;
  let usageOf: () => NormalizedUsage | null;
  let streamErrorOf: () => string | null;
  let prefix: string | undefined;
  let replay: Buffer[] = [];
  if (served.protocol !== state.spec.protocol) {
    const encoder =
      state.spec.protocol === 'openai-chat'
        ? createOpenAIStreamEncoder({ id: `chatcmpl-${state.id}`, model: served.upstreamModel, created: Math.floor(state.startedAt / 1000), includeUsage: context.clientWantsStreamUsage })
        : createAnthropicStreamEncoder({ id: `msg_${state.id.replace(/-/g, '')}`, model: served.upstreamModel });
    const translate = new TranslateRelay(gate.decoding, encoder, gate.ended);
    prefix = translate.encode(gate.events);
    relay = translate;
    usageOf = () => translate.usage;
    streamErrorOf = () => translate.error?.message ?? null;
  } else {
    const tap = state.spec.createUsageTap(context);
    relay = tap.relay;
    replay = gate.held;
    usageOf = tap.usage;
    streamErrorOf = tap.streamError;
  }
  state.ttfbMs = performance.now() - state.startedPerf;
  response.writeHead(200, routingHeaders(state, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }));
  const body = upstream.body;

  return new Promise<void>((resolve) => {
    let settled = false;
    // What one turn of the event loop relays leaves in one write: the response is corked at the turn's first write and
    // uncorked once the turn's I/O callbacks have run. An upstream that sends several events in one read (a whole short
    // answer, or the usage event with the end of the stream) then costs one send to the client instead of one per
    // event, and the closing events, written after the usage record, join them when they arrive in the same turn.
    let corked = false;
    // Once the stream is settling, the turn's cork is kept until the closing events are written: they wait for the usage
    // record, whose journal write comes after this turn's I/O, and would otherwise leave in a write of their own.
    let holdCork = false;
    const uncork = (): void => {
      if (holdCork || !corked) return;
      corked = false;
      response.uncork();
    };
    const releaseCork = (): void => {
      holdCork = false;
      uncork();
    };
    const write = (out: Buffer | string | undefined): void => {
      if (out === undefined || out.length === 0 || settled || response.destroyed) return;
      if (!corked) {
        corked = true;
        response.cork();
        setImmediate(uncork);
      }
      if (!response.write(out)) {
        body.pause();
        response.once('drain', onDrain);
      }
    };
    const onDrain = (): void => {
      if (!settled) body.resume();
    };
    const onData = (chunk: Buffer): void => {
      let out: Buffer | string | undefined;
      try {
        out = relay.push(chunk);
      } catch (error) {
        void settle(error, false);
        return;
      }
      write(out);
    };
    const onEnd = (): void => void settle(null, true);
    const onError = (error: unknown): void => void settle(error, false);
    const onClose = (): void => {
      if (!response.writableFinished) void settle(null, false);
    };

    async function settle(failure: unknown, ended: boolean): Promise<void> {
      if (settled) return;
      settled = true;
      holdCork = true;
      let tail: Buffer | string | undefined;
      let error = failure;
      if (ended && !error && !state.aborted) {
        try {
          tail = relay.end();
        } catch (caught) {
          error = caught;
        }
      }
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      response.off('drain', onDrain);
      response.off('close', onClose);
      state.usage = usageOf();
      if (!hasTokens(state.usage)) state.answerTokens = relay.answerTokens();
      if (state.ttfbMs === null && relay.firstByteAt !== null) state.ttfbMs = relay.firstByteAt - state.startedPerf;
      if (state.aborted) {
        body.destroy();
        await record();
        releaseCork();
        resolve();
        return;
      }
      const inStreamError = streamErrorOf();
      if (error) {
        const gatewayError = error instanceof UpstreamCallError ? error.toGatewayError() : streamFailure(error);
        state.errorCode = gatewayError.code;
        state.errorMessage = gatewayError.message;
        body.destroy();
        if (!response.destroyed) response.write(state.spec.streamErrorFrame(gatewayError));
      } else if (inStreamError && !state.errorCode) {
        state.errorCode = 'upstream_error';
        state.errorMessage = inStreamError;
      }
      await record();
      if (!response.destroyed) {
        // The closing events and the chunked terminator leave in one write.
        response.cork();
        if (tail !== undefined && tail.length > 0) response.write(tail);
        response.end();
        response.uncork();
      }
      releaseCork();
      resolve();
    }

    body.on('data', onData);
    body.on('end', onEnd);
    body.on('error', onError);
    response.on('close', onClose);
    write(prefix);
    for (const chunk of replay) onData(chunk);
    if (gate.ended) void settle(null, true);
    else body.resume();
  });
}

function streamFailure(error: unknown): GatewayError {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return new GatewayError('upstream_timeout', 'The upstream stream stalled (idle timeout).');
  if (error instanceof GatewayError) return error;
  const gatewayError = toGatewayError(error);
  return gatewayError.code === 'internal_error' ? new GatewayError('upstream_unreachable', 'The upstream connection broke mid-stream.') : gatewayError;
}
