import type { Dispatcher } from 'undici';
// The Agent and `request` alone, not undici's entry point (fetch, WebSocket, caches): 8.5 MB less resident memory (see
// undici-agent.d.ts).
import Agent from 'undici/lib/dispatcher/agent.js';
import dispatcherRequest from 'undici/lib/api/api-request.js';
import type { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { GatewayError } from '../errors.js';
import { classifyError, type FailureClass } from '../router/classify-failure.js';
import type { UpstreamTarget } from './adapters.js';

export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

export interface UpstreamCallOptions {
  target: UpstreamTarget;
  body: string | Buffer;
  /** Aborts the call: an AbortSignal, or an EventEmitter that emits 'abort' and has `aborted` (undici takes both). */
  signal: AbortSignal | (EventEmitter & { aborted: boolean });
  /** Longest wait for the response headers. */
  firstByteMs: number;
  /** Longest silence between two body chunks. */
  idleMs: number;
}

/** A transport failure, already classified, with the upstream's key nowhere in it. */
export class UpstreamCallError extends Error {
  constructor(
    readonly failureClass: FailureClass,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'UpstreamCallError';
  }

  toGatewayError(): GatewayError {
    if (this.failureClass === 'timeout') return new GatewayError('upstream_timeout', this.message, { cause: this });
    return new GatewayError('upstream_unreachable', this.message, { cause: this });
  }
}

/**
 * The one way out to upstreams: `undici.request` on a pooled keep-alive agent, Node streams end to end.
 * The client's abort signal reaches the upstream socket.
 */
export function createUpstreamClient(options: { connectTimeoutMs: number; dispatcher?: Dispatcher }) {
  const dispatcher =
    options.dispatcher ??
    new Agent({ connect: { timeout: options.connectTimeoutMs }, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });

  // undici's top-level `request(url, …)` parses the URL string and copies the options on every call; the dispatcher's
  // own `request` takes origin and path as they are. Targets are few (provider × route), so each is split once.
  const endpoints = new Map<string, { origin: string; path: string }>();
  function endpointOf(url: string): { origin: string; path: string } {
    let endpoint = endpoints.get(url);
    if (endpoint === undefined) {
      const parsed = new URL(url);
      endpoint = { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
      if (endpoints.size < 256) endpoints.set(url, endpoint);
    }
    return endpoint;
  }

  async function call(callOptions: UpstreamCallOptions): Promise<UpstreamResponse> {
    try {
      const { origin, path } = endpointOf(callOptions.target.url);
      const response = await dispatcherRequest.call(dispatcher, {
        origin,
        path,
        method: 'POST',
        headers: callOptions.target.headers,
        body: callOptions.body,
        signal: callOptions.signal,
        headersTimeout: callOptions.firstByteMs,
        bodyTimeout: callOptions.idleMs,
      });
      // A body destroyed after its consumer has gone (client abort, fallback) may still emit an error; nobody is left
      // to care, and an unhandled 'error' event would take the process down.
      response.body.on('error', ignoreError);
      return { status: response.statusCode, headers: response.headers, body: response.body };
    } catch (error) {
      const failureClass = classifyError(error);
      const host = safeHost(callOptions.target.url);
      const what =
        failureClass === 'timeout'
          ? `Upstream ${host} timed out`
          : failureClass === 'aborted'
            ? `Request to ${host} was aborted`
            : `Upstream ${host} is unreachable`;
      const code = (error as { code?: string }).code;
      throw new UpstreamCallError(failureClass, code ? `${what} (${code}).` : `${what}.`, { cause: error });
    }
  }

  return { call, close: () => dispatcher.close() };
}

export type UpstreamClient = ReturnType<typeof createUpstreamClient>;

function ignoreError(): void {}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'upstream';
  }
}
