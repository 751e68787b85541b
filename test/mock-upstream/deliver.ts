/**
 * Writes a planned answer to the socket, bending it by the script's fault. Formats only say what a healthy answer is;
 * every misbehaviour lives here, so it works the same for each provider.
 */
import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ResolvedScript } from './types.js';

/** A healthy answer plus the pieces faults need, all rendered in the provider's format. */
export interface ResponsePlan {
  /** True for SSE, false for a JSON body. */
  streaming: boolean;
  /** Headers of the 200 answer (content-type, request id). */
  headers: Record<string, string>;
  /** SSE events, or the whole JSON body as one frame. */
  frames: string[];
  /** An SSE event of invalid JSON (for `malformed-chunk`). */
  malformedFrame: string;
  /** The provider's in-stream error event (for `error-event`). */
  errorFrame: string;
  /** Status, headers and body of the provider's error answer (for `status`, and `error-event` without streaming). */
  errorAnswer: { status: number; headers: Record<string, string>; body: string };
}

/** Lets the server tell "we destroyed the socket on purpose" from "the client went away". */
export interface DeliveryHooks {
  markServerDestroyed(): void;
}

/**
 * Sends the answer. Returns when everything is written, or the connection is gone; never throws for a closed socket.
 * Hangs return at once and leave the response open: it ends when the client goes away or `close()` destroys the socket.
 */
export async function deliver(
  response: ServerResponse,
  plan: ResponsePlan,
  script: ResolvedScript,
  hooks: DeliveryHooks,
): Promise<void> {
  const extraHeaders = script.headers;
  const fault = script.fault;

  if (fault === 'status') {
    const answer = plan.errorAnswer;
    response.writeHead(answer.status, {
      ...answer.headers,
      'content-length': String(Buffer.byteLength(answer.body)),
      ...extraHeaders,
    });
    response.end(answer.body);
    return;
  }
  if (fault === 'hang-before-headers') return;
  if (fault === 'error-event' && !plan.streaming) {
    // Without a stream, a provider that fails after accepting the request (OpenRouter does this) answers 200 with the error body.
    const body = plan.errorAnswer.body;
    response.writeHead(200, { ...plan.errorAnswer.headers, 'content-length': String(Buffer.byteLength(body)), ...extraHeaders });
    response.end(body);
    return;
  }

  let frames = plan.frames;
  let destroyAtEnd = false;
  if (fault === 'drop-mid-stream') {
    frames = plan.streaming ? frames.slice(0, script.afterFrames) : [halfOf(frames.join(''))];
    destroyAtEnd = true;
  } else if (fault === 'malformed-chunk') {
    frames = plan.streaming
      ? [...frames.slice(0, script.afterFrames), plan.malformedFrame, ...frames.slice(script.afterFrames)]
      : [halfOf(frames.join(''))];
  } else if (fault === 'error-event') {
    frames = [...frames.slice(0, script.afterFrames), plan.errorFrame];
  } else if (fault === 'empty-stream') {
    frames = [];
  } else if (fault === 'stall-mid-stream') {
    frames = frames.slice(0, script.afterFrames);
  } else if (fault === 'no-terminal' && plan.streaming) {
    frames = frames.slice(0, -1);
  }

  const headers: Record<string, string> = { ...plan.headers, ...extraHeaders };
  if (!plan.streaming && fault !== 'hang-after-headers' && fault !== 'stall-mid-stream') {
    // A dropped JSON body keeps the full length, so the client can tell the body was cut short.
    const declared = fault === 'drop-mid-stream' ? plan.frames.join('') : frames.join('');
    headers['content-length'] = String(Buffer.byteLength(declared));
  }
  response.writeHead(200, headers);
  response.flushHeaders();
  if (fault === 'hang-after-headers') return;

  const gone = new AbortController();
  response.once('close', () => gone.abort());
  let lastWrite: Promise<unknown> = sleep(0);
  for (const frame of frames) {
    if (script.delayMs > 0) {
      try {
        await sleep(script.delayMs, undefined, { signal: gone.signal });
      } catch {
        return; // the connection closed while we waited
      }
    }
    if (response.destroyed) return;
    if (destroyAtEnd) lastWrite = new Promise<void>((resolve) => response.write(frame, () => resolve()));
    else response.write(frame);
  }
  if (destroyAtEnd) {
    // Let the written frames reach the kernel first, so the client sees them before the connection drops.
    await lastWrite;
    hooks.markServerDestroyed();
    response.socket?.destroy();
    return;
  }
  if (fault === 'stall-mid-stream') return;
  if (!response.destroyed) response.end();
}

function halfOf(text: string): string {
  return text.slice(0, Math.floor(text.length / 2));
}
