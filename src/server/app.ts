import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError, toGatewayError } from '../errors.js';
import { decide } from '../router/decide.js';
import type { ClientProtocol } from '../usage/types.js';
import { anthropicMessagesSpec } from './client-protocols/anthropic-messages.js';
import { openaiChatSpec } from './client-protocols/openai-chat.js';
import { isRecord, type ClientProtocolSpec } from './client-protocols/types.js';
import { headerValue, pathOf, readBody, sendJson } from './http-util.js';
import { ClientBody } from './client-body.js';
import { handleModelRequest, routeInput, type PipelineDeps } from './pipeline.js';
import { openaiModelList, openRouterModelList } from './routes/models.js';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse, url: URL) => void | Promise<void>;

export interface AppDeps extends PipelineDeps {
  /** Further routes (admin API, metrics, dashboard), keyed `METHOD /path`. */
  extraRoutes?: Record<string, RouteHandler>;
  /** Prefix-matched routes (`GET /api/requests/` → handler), checked after exact ones. */
  prefixRoutes?: Array<{ method: string; prefix: string; handler: RouteHandler }>;
  isDraining?: () => boolean;
}

const MODEL_ROUTES: Record<string, ClientProtocolSpec> = {
  '/v1/chat/completions': openaiChatSpec,
  '/chat/completions': openaiChatSpec,
  '/api/openrouter/chat/completions': openaiChatSpec,
  '/v1/messages': anthropicMessagesSpec,
  '/messages': anthropicMessagesSpec,
};

/**
 * The gateway's request handler for node:http. The route table is a plain map: the hot path does one lookup and calls the
 * pipeline; everything else is small JSON routes.
 */
export function createApp(deps: AppDeps): (request: IncomingMessage, response: ServerResponse) => void {
  const jsonRoutes: Record<string, RouteHandler> = {
    'GET /healthz': (_request, response) => sendJson(response, 200, { status: 'ok' }),
    'GET /v1/models': (_request, response) => sendJson(response, 200, openaiModelList(deps.getConfig())),
    'GET /models': (_request, response) => sendJson(response, 200, openaiModelList(deps.getConfig())),
    'GET /api/openrouter/models': (_request, response) => sendJson(response, 200, openRouterModelList(deps.getConfig())),
    'GET /api/user': (_request, response) =>
      sendJson(response, 404, { error: { message: 'Automodel has no user accounts.', type: 'invalid_request_error', code: 'route_not_found', param: null } }),
    'POST /api/route': (request, response, url) => dryRun(request, response, url, deps),
    'POST /v1/messages/count_tokens': (request, response) => countTokens(request, response, deps),
    'HEAD /': (_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.end();
    },
    ...deps.extraRoutes,
  };
  const knownPaths = new Set([...Object.keys(MODEL_ROUTES), ...Object.keys(jsonRoutes).map((key) => key.slice(key.indexOf(' ') + 1))]);

  return (request, response) => {
    const path = pathOf(request.url);
    const method = request.method ?? 'GET';
    const spec = MODEL_ROUTES[path];
    if ((spec || GUARDED_ROUTES.has(path)) && !authorized(request, deps.getConfig().server.auth.keys)) {
      request.resume();
      return void sendError(response, spec ?? (path.startsWith('/v1/messages') ? anthropicMessagesSpec : openaiChatSpec), new GatewayError('unauthorized', 'A valid gateway key is required: send it as Authorization: Bearer <key> or x-api-key.'));
    }
    if (spec && method === 'POST') {
      if (deps.isDraining?.()) return void sendError(response, spec, new GatewayError('shutting_down', 'The gateway is shutting down.'));
      handleModelRequest(spec, request, response, path, deps).catch((error: unknown) => {
        deps.logger.error({ err: error }, 'unhandled pipeline error');
        if (!response.headersSent) sendError(response, spec, toGatewayError(error));
        else response.destroy();
      });
      return;
    }
    const handler = jsonRoutes[`${method} ${path}`] ?? prefixHandler(deps, method, path);
    const errorSpec = path.startsWith('/v1/messages') ? anthropicMessagesSpec : openaiChatSpec;
    if (!handler) {
      const error = knownPaths.has(path)
        ? new GatewayError('method_not_allowed', `${method} is not allowed on ${path}.`)
        : new GatewayError('route_not_found', `No route for ${method} ${path}.`);
      request.resume();
      return void sendError(response, errorSpec, error);
    }
    let url: URL;
    try {
      url = new URL(request.url ?? '/', 'http://gateway.local');
    } catch {
      return void sendError(response, errorSpec, new GatewayError('invalid_request', 'Malformed request URL.'));
    }
    Promise.resolve()
      .then(() => handler(request, response, url))
      .catch((error: unknown) => {
        const gatewayError = toGatewayError(error);
        if (gatewayError.code === 'internal_error') deps.logger.error({ err: error, path }, 'route failed');
        if (!response.headersSent) sendError(response, errorSpec, gatewayError);
        else response.destroy();
      });
  };
}

/** Routes that cost money or reveal the config: they need a gateway key when config sets any. */
const GUARDED_ROUTES = new Set(['/api/route', '/v1/messages/count_tokens']);

function authorized(request: IncomingMessage, keys: string[]): boolean {
  if (keys.length === 0) return true;
  const bearer = /^Bearer\s+(.+)$/i.exec(headerValue(request, 'authorization') ?? '')?.[1]?.trim();
  const presented = bearer ?? headerValue(request, 'x-api-key');
  if (!presented) return false;
  const given = Buffer.from(presented);
  return keys.some((key) => {
    const expected = Buffer.from(key);
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
}

/** `POST /v1/messages/count_tokens`: the gateway's own estimate, the same one the context-window check uses. */
async function countTokens(request: IncomingMessage, response: ServerResponse, deps: AppDeps): Promise<void> {
  const raw = await readBody(request, deps.getConfig().server.bodyLimitBytes);
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(body) || !Array.isArray(body.messages)) throw new GatewayError('invalid_request', 'messages: Field required (an array of messages).');
  if (!deps.estimateInputTokens) throw new GatewayError('internal_error', 'No token estimator is configured.');
  sendJson(response, 200, { input_tokens: deps.estimateInputTokens('anthropic-messages', body) });
}

function prefixHandler(deps: AppDeps, method: string, path: string): RouteHandler | undefined {
  return deps.prefixRoutes?.find((route) => route.method === method && path.startsWith(route.prefix))?.handler;
}

function sendError(response: ServerResponse, spec: ClientProtocolSpec, error: GatewayError): void {
  sendJson(response, error.status, spec.errorBody(error), error.headers);
}

/** `POST /api/route`: the decision for a request body and the caller's headers, without calling any upstream. */
async function dryRun(request: IncomingMessage, response: ServerResponse, url: URL, deps: AppDeps): Promise<void> {
  const config = deps.getConfig();
  const body = ClientBody.parse(await readBody(request, config.server.bodyLimitBytes));
  const protocol = detectProtocol(url.searchParams.get('protocol'), body, request);
  const spec = protocol === 'anthropic-messages' ? anthropicMessagesSpec : openaiChatSpec;
  const input = routeInput(spec, body, request, deps, deps.now());
  // A dry run shows the estimate whatever the body's size.
  const decision = decide({ ...input, ...(input.estimateInputTokens ? { estimatedInputTokens: input.estimateInputTokens() } : {}) }, config);
  sendJson(response, 200, { protocol, decision });
}

function detectProtocol(requested: string | null, body: ClientBody, request: IncomingMessage): ClientProtocol {
  if (requested === 'anthropic-messages' || requested === 'openai-chat' || requested === 'openai-responses') return requested;
  if (headerValue(request, 'anthropic-version') || body.has('system')) return 'anthropic-messages';
  return 'openai-chat';
}
