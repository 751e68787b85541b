/**
 * Loopback mock upstream that speaks the providers' wire formats: OpenAI Chat Completions, OpenRouter's flavour of it,
 * and Anthropic Messages (JSON and SSE), with scripted scenarios and faults.
 *
 * Routes (any prefix):
 * - `POST …/chat/completions`: OpenAI format; OpenRouter flavour when the path has `/api/v1/` or `/api/openrouter/`
 *   (adds `usage.cost`, always streams usage, `: OPENROUTER PROCESSING` comment). Needs `authorization: Bearer`.
 * - `POST …/messages`, `POST …/messages/count_tokens`: Anthropic format. Needs `x-api-key` (or a bearer token) and
 *   `anthropic-version`.
 * - `GET …/models`: the list in the flavour's shape (Anthropic when the request carries `anthropic-version`/`x-api-key`).
 *
 * Behaviour per request: `x-mock-scenario` (text | tool-calls | thinking | thinking-tool), `x-mock-fault` (see `MockFault`),
 * `x-mock-status`, `x-mock-chunks` (default 20), `x-mock-after`, `x-mock-delay-ms`, `x-mock-usage` (JSON: input, output,
 * cacheRead, cacheWrite, reasoning, cost; default input 100, output 20, rest 0), `x-mock-retry-after`,
 * `x-mock-retry-after-ms`, `x-mock-headers` (JSON), `x-mock-error-type`, `x-mock-error-message`. Tests that cannot set
 * headers (the gateway does not forward them) use `enqueue()`. Every body echoes the requested `model`.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { anthropicCountTokensBody, anthropicJsonBody, anthropicMalformedFrame, anthropicStreamFrames } from './anthropic-format.js';
import { deliver } from './deliver.js';
import type { ResponsePlan } from './deliver.js';
import { errorBody, errorHeaders, streamErrorFrame } from './errors.js';
import { modelsBody } from './models.js';
import { openaiJsonBody, openaiMalformedFrame, openaiStreamFrames } from './openai-format.js';
import { createPromptCache } from './prompt-cache.js';
import { MockHeaderError, resolveScript, scriptFromHeaders } from './script.js';
import type {
  CallOutcome,
  MockFlavour,
  MockScript,
  MockUpstream,
  MockUpstreamOptions,
  RecordedCall,
  ResolvedScript,
} from './types.js';

export type * from './types.js';
export { SCENARIOS, DEFAULT_USAGE, DEFAULT_CHUNKS, TEXT_WORD, textChunks, openrouterCost } from './scenarios.js';

const SSE_CONTENT_TYPE = 'text/event-stream; charset=utf-8';
const JSON_CONTENT_TYPE = 'application/json';

type RouteKind = 'chat' | 'messages' | 'count-tokens' | 'models' | 'unknown';

function classify(method: string, pathname: string, request: IncomingMessage): { kind: RouteKind; flavour: MockFlavour } {
  const openrouterPath = pathname.includes('/api/v1/') || pathname.includes('/api/openrouter/');
  if (method === 'POST' && pathname.endsWith('/chat/completions')) {
    return { kind: 'chat', flavour: openrouterPath ? 'openrouter' : 'openai' };
  }
  if (method === 'POST' && pathname.endsWith('/messages')) return { kind: 'messages', flavour: 'anthropic' };
  if (method === 'POST' && pathname.endsWith('/messages/count_tokens')) return { kind: 'count-tokens', flavour: 'anthropic' };
  if (method === 'GET' && pathname.endsWith('/models')) {
    const looksAnthropic = request.headers['anthropic-version'] !== undefined || request.headers['x-api-key'] !== undefined;
    return { kind: 'models', flavour: looksAnthropic ? 'anthropic' : openrouterPath ? 'openrouter' : 'openai' };
  }
  return { kind: 'unknown', flavour: 'openai' };
}

/** The provider's verdict on the credentials, or undefined when they pass. */
function authProblem(flavour: MockFlavour, kind: RouteKind, request: IncomingMessage, expectedKey: string | undefined): { status: number; message: string } | undefined {
  if (kind === 'models' && flavour === 'openrouter') return undefined; // OpenRouter lists models without a key
  const bearer = /^Bearer\s+(\S+)/i.exec(request.headers.authorization ?? '')?.[1];
  if (flavour === 'anthropic') {
    const apiKey = request.headers['x-api-key'];
    const key = (Array.isArray(apiKey) ? apiKey[0] : apiKey) ?? bearer;
    if (!key) return { status: 401, message: 'x-api-key header is required' };
    if (expectedKey !== undefined && key !== expectedKey) return { status: 401, message: 'invalid x-api-key' };
    if (kind !== 'models' && request.headers['anthropic-version'] === undefined) {
      return { status: 400, message: 'anthropic-version: header is required' };
    }
    return undefined;
  }
  if (!bearer) {
    const message = flavour === 'openrouter' ? 'No auth credentials found' : 'Missing bearer authentication in header';
    return { status: 401, message };
  }
  if (expectedKey !== undefined && bearer !== expectedKey) return { status: 401, message: 'Incorrect API key provided' };
  return undefined;
}

function baseHeaders(flavour: MockFlavour, requestId: string, streaming: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': streaming ? SSE_CONTENT_TYPE : JSON_CONTENT_TYPE };
  if (streaming) headers['cache-control'] = 'no-cache';
  if (flavour === 'anthropic') headers['request-id'] = `req_${requestId}`;
  else headers['x-request-id'] = `req_${requestId}`;
  if (flavour === 'openrouter') headers['x-generation-id'] = `gen-${requestId}`;
  return headers;
}

function sendJson(response: ServerResponse, status: number, headers: Record<string, string>, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...headers, 'content-type': JSON_CONTENT_TYPE, 'content-length': String(Buffer.byteLength(text)) });
  response.end(text);
}

function buildPlan(kind: RouteKind, flavour: MockFlavour, body: Record<string, unknown>, script: ResolvedScript, requestId: string): ResponsePlan {
  const model = typeof body.model === 'string' ? body.model : '';
  const streaming = kind !== 'count-tokens' && body.stream === true;
  const headers = baseHeaders(flavour, requestId, streaming);
  const errorSpec = { status: script.status, type: script.errorType, message: script.errorMessage };
  const errorAnswer = {
    status: script.status,
    headers: { ...baseHeaders(flavour, requestId, false), ...errorHeaders(flavour, script) },
    body: JSON.stringify(errorBody(flavour, errorSpec, `req_${requestId}`)),
  };
  const errorFrame = streamErrorFrame(flavour, script, model, `req_${requestId}`);
  if (kind === 'count-tokens') {
    const frames = [JSON.stringify(anthropicCountTokensBody(script.usage))];
    return { streaming, headers, frames, malformedFrame: '', errorFrame, errorAnswer };
  }
  if (flavour === 'anthropic') {
    const context = { model, requestId, script };
    const frames = streaming ? anthropicStreamFrames(context) : [JSON.stringify(anthropicJsonBody(context))];
    return { streaming, headers, frames, malformedFrame: anthropicMalformedFrame(), errorFrame, errorAnswer };
  }
  const streamOptions = body.stream_options;
  const includeUsage =
    typeof streamOptions === 'object' && streamOptions !== null && (streamOptions as Record<string, unknown>).include_usage === true;
  const context = { flavour: flavour === 'openrouter' ? ('openrouter' as const) : ('openai' as const), model, requestId, script, includeUsage };
  const frames = streaming ? openaiStreamFrames(context) : [JSON.stringify(openaiJsonBody(context))];
  return { streaming, headers, frames, malformedFrame: openaiMalformedFrame(context), errorFrame, errorAnswer };
}

/** Starts the mock on 127.0.0.1 (port 0 = any free port). */
export async function startMockUpstream(options: MockUpstreamOptions = {}): Promise<MockUpstream> {
  const host = options.host ?? '127.0.0.1';
  const recordLimit = options.recordLimit ?? 1000;
  const calls: RecordedCall[] = [];
  const queue: MockScript[] = [];
  let defaults = options.defaults;
  const promptCache = options.promptCache ? createPromptCache() : null;
  const socketClosed = new WeakMap<Socket, { promise: Promise<void>; closed: boolean }>();
  let counter = 0;

  function trackSocket(socket: Socket): { promise: Promise<void>; closed: boolean } {
    let state = socketClosed.get(socket);
    if (!state) {
      const tracked: { promise: Promise<void>; closed: boolean } = { promise: Promise.resolve(), closed: socket.destroyed };
      tracked.promise = socket.destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => socket.once('close', () => { tracked.closed = true; resolve(); }));
      socketClosed.set(socket, tracked);
      state = tracked;
    }
    return state;
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    counter += 1;
    const requestId = `mock_${String(counter).padStart(6, '0')}`;
    const method = request.method ?? 'GET';
    const path = request.url ?? '/';
    const pathname = path.split('?')[0] ?? '/';
    const { kind, flavour } = classify(method, pathname, request);

    let parsedBody: unknown;
    try {
      parsedBody = rawBody.length > 0 ? JSON.parse(rawBody) : undefined;
    } catch {
      parsedBody = undefined;
    }

    let serverDestroyed = false;
    const socketState = trackSocket(request.socket);
    const record: RecordedCall = {
      index: counter,
      method,
      path,
      headers: request.headers,
      rawBody,
      body: parsedBody,
      flavour: kind === 'unknown' ? 'unknown' : flavour,
      script: undefined,
      receivedAt: Date.now(),
      socketClosed: socketState.promise,
      // A getter, not a callback on the socket's promise: keep-alive sockets serve thousands of requests, and a
      // callback per request would keep every request body alive until the socket closes.
      get isSocketClosed(): boolean {
        return socketState.closed;
      },
      outcome: Promise.resolve<CallOutcome>('finished'),
      outcomeValue: undefined,
    };
    record.outcome = new Promise<CallOutcome>((resolve) => {
      const settle = (value: CallOutcome): void => {
        if (record.outcomeValue === undefined) record.outcomeValue = value;
        resolve(record.outcomeValue);
      };
      response.once('finish', () => settle('finished'));
      response.once('close', () => settle(serverDestroyed ? 'server-destroyed' : 'client-closed'));
    });
    if (recordLimit > 0) {
      calls.push(record);
      if (calls.length > recordLimit) calls.shift();
    }

    if (kind === 'unknown') {
      sendJson(response, 404, {}, errorBody('openai', { status: 404, message: `Mock upstream: no route ${method} ${pathname}` }, requestId));
      return;
    }
    const auth = authProblem(flavour, kind, request, options.apiKey);
    if (auth) {
      sendJson(response, auth.status, baseHeaders(flavour, requestId, false), errorBody(flavour, auth, `req_${requestId}`));
      return;
    }
    if (kind === 'models') {
      sendJson(response, 200, baseHeaders(flavour, requestId, false), modelsBody(flavour));
      return;
    }

    let script: ResolvedScript;
    try {
      script = resolveScript(defaults, options.scriptFor?.({ path, flavour }), scriptFromHeaders(request.headers), queue.shift());
    } catch (error) {
      if (!(error instanceof MockHeaderError)) throw error;
      sendJson(response, 400, {}, errorBody(flavour, { status: 400, message: error.message }, `req_${requestId}`));
      return;
    }
    record.script = script;
    if (typeof parsedBody !== 'object' || parsedBody === null || Array.isArray(parsedBody)) {
      const message = 'Mock upstream: the body must be a JSON object';
      sendJson(response, 400, baseHeaders(flavour, requestId, false), errorBody(flavour, { status: 400, message }, `req_${requestId}`));
      return;
    }
    const body = parsedBody as Record<string, unknown>;
    if (typeof body.model !== 'string' || body.model.length === 0) {
      const message = 'Mock upstream: model is required';
      sendJson(response, 400, baseHeaders(flavour, requestId, false), errorBody(flavour, { status: 400, message }, `req_${requestId}`));
      return;
    }
    if (promptCache && kind === 'messages') script = { ...script, usage: { ...script.usage, ...promptCache.usageFor(body) } };
    const plan = buildPlan(kind, flavour, body, script, requestId);
    await deliver(response, plan, script, { markServerDestroyed: () => { serverDestroyed = true; } });
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      // A bug in the mock must show up in the test that hit it, not vanish: answer 500 with the message and log it.
      console.error('mock upstream error', error);
      if (!response.headersSent) sendJson(response, 500, {}, { error: { message: String(error), type: 'mock_bug' } });
      else response.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('mock upstream: no TCP address');
  const port = address.port;

  return {
    url: `http://${host}:${port}`,
    port,
    calls,
    reset(): void {
      calls.length = 0;
      queue.length = 0;
      defaults = options.defaults;
    },
    setDefaults(script: MockScript | undefined): void {
      defaults = script ?? options.defaults;
    },
    enqueue(...scripts: MockScript[]): void {
      queue.push(...scripts);
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Hung and keep-alive sockets would hold close() forever: destroy them.
        server.closeAllConnections();
      });
    },
  };
}
