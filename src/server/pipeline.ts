import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CompiledConfig } from '../config/compiled.js';
import { GatewayError, toGatewayError } from '../errors.js';
import type { GatewayMetrics } from '../metrics/registry.js';
import type { UpstreamClient } from '../providers/upstream-client.js';
import type { CircuitBreakers } from '../router/circuit-breaker.js';
import { decide } from '../router/decide.js';
import type { InferredModeResult, RouteInput } from '../router/decision.js';
import type { RetryPolicy } from '../router/retry-policy.js';
import { estimateInputTokens } from '../tokens/estimate.js';
import type { ClientProtocol, UsageRecord } from '../usage/types.js';
import { runAttempts } from './attempts.js';
import { ClientAbort } from './client-abort.js';
import { ClientBody } from './client-body.js';
import type { ClientProtocolSpec } from './client-protocols/types.js';
import { isRecord } from './client-protocols/types.js';
import { headerValue, readBody, sendJson } from './http-util.js';
import { hasTokens } from './relay.js';
import { requestId } from './request-id.js';
import { routingHeaders, type RequestState } from './request-state.js';
import { buildUsageRecord, logRequest } from './usage-record.js';

/** Where finished requests go. `record` resolves once the record is durable; the response's last byte waits for it. */
export interface UsageSink {
  record(record: UsageRecord): Promise<void>;
}

export interface PipelineDeps {
  /** Read once per request: a reload swaps the config for later requests only. */
  getConfig(): CompiledConfig;
  upstream: UpstreamClient;
  usage: UsageSink;
  logger: Logger;
  breakers: CircuitBreakers;
  retryPolicy: RetryPolicy;
  /** Epoch milliseconds. */
  now(): number;
  random(): number;
  /** Waits `ms`, or less if the client goes away. Injected so tests need not wait. */
  sleep(ms: number, abort: ClientAbort): Promise<void>;
  metrics?: GatewayMetrics;
  inferMode?: (protocol: ClientProtocol, body: unknown) => InferredModeResult;
  estimateInputTokens?: (protocol: ClientProtocol, body: unknown) => number;
  /** Add Anthropic cache breakpoints to translated requests that have none (default true). */
  promptCaching?: boolean;
}

/**
 * The one orchestrator of a model request: read → parse → decide → attempt loop → respond → record.
 */
export async function handleModelRequest(
  spec: ClientProtocolSpec,
  request: IncomingMessage,
  response: ServerResponse,
  route: string,
  deps: PipelineDeps,
): Promise<void> {
  const config = deps.getConfig();
  const startedAt = deps.now();
  const state: RequestState = {
    id: requestId(startedAt),
    config,
    startedAt,
    startedPerf: performance.now(),
    route,
    spec,
    clientName: clientName(request),
    sessionId: headerValue(request, 'x-kilocode-taskid') ?? headerValue(request, 'x-session-id') ?? null,
    body: null,
    decision: null,
    attempts: [],
    served: null,
    usage: null,
    tokensEstimated: false,
    answerTokens: null,
    ttfbMs: null,
    streamed: false,
    aborted: false,
    status: 200,
    errorCode: null,
    errorMessage: null,
    warnings: [],
  };
  const abort = new ClientAbort();
  response.on('close', () => {
    if (!response.writableFinished) {
      state.aborted = true;
      abort.abort();
    }
  });
  let recorded = false;
  const record = async () => {
    if (recorded) return;
    recorded = true;
    await writeRecord(state, deps);
  };

  try {
    const raw = await readBody(request, config.server.bodyLimitBytes);
    const body = ClientBody.parse(raw);
    const problem = spec.validate(body);
    if (problem) throw new GatewayError('invalid_request', problem);
    state.body = body;
    state.streamed = spec.isStream(body);
    state.sessionId ??= sessionFromBody(body);
    const decision = decide(routeInput(spec, body, request, deps, state.startedAt), config);
    state.decision = decision;
    if (decision.error) throw new GatewayError(decision.error.code, decision.error.message);
    applyModeOverrides(state, config);
    await runAttempts(state, request, response, abort, deps, record);
    if (state.aborted) {
      state.status = 499;
      await record();
    }
  } catch (error) {
    const gatewayError = toGatewayError(error);
    if (gatewayError.code === 'internal_error') deps.logger.error({ err: error, requestId: state.id }, 'internal error');
    state.status = gatewayError.status;
    state.errorCode = gatewayError.code;
    state.errorMessage = gatewayError.message;
    await record();
    if (state.aborted || response.destroyed) return;
    if (response.headersSent) {
      response.end(spec.streamErrorFrame(gatewayError));
      return;
    }
    const headers: Record<string, string> = { ...routingHeaders(state), ...gatewayError.headers };
    if (gatewayError.code === 'body_too_large') headers.connection = 'close';
    sendJson(response, gatewayError.status, spec.errorBody(gatewayError), headers);
  }
}

/** Per-mode request overrides from config (e.g. `reasoning_effort: high` for plan), applied over the client's fields. */
function applyModeOverrides(state: RequestState, config: CompiledConfig): void {
  const decision = state.decision!;
  if (!decision.virtualModel || !decision.mode) return;
  const overrides = config.virtualModels.get(decision.virtualModel)?.overrides?.[decision.mode];
  if (!overrides || Object.keys(overrides).length === 0) return;
  state.body!.replace({ ...state.body!.json, ...overrides });
  decision.diagnostics.push(`mode '${decision.mode}' overrides applied: ${Object.keys(overrides).join(', ')}`);
}

/** What the router is told about a request: the few top-level fields, the headers, and lazy inference and estimate. */
export function routeInput(spec: ClientProtocolSpec, body: ClientBody, request: IncomingMessage, deps: PipelineDeps, now: number): RouteInput {
  const model = body.field('model');
  const outputTokens = spec.requestedOutputTokens(body);
  return {
    protocol: spec.protocol,
    requestedModel: typeof model === 'string' ? model : '',
    kilocodeModeHeader: headerValue(request, 'x-kilocode-mode'),
    automodelModeHeader: headerValue(request, 'x-automodel-mode'),
    ...(deps.inferMode ? { inferMode: () => deps.inferMode!(spec.protocol, body.json) } : {}),
    ...(deps.estimateInputTokens
      ? { estimateInputTokens: () => deps.estimateInputTokens!(spec.protocol, body.json), inputTokensUpperBound: tokenUpperBound(body.raw, body.imageStrings) }
      : {}),
    ...(outputTokens !== undefined ? { requestedOutputTokens: outputTokens } : {}),
    now,
  };
}

/** `"image_url"` (OpenAI) and `"image"` (Anthropic's block type) both start so. */
const IMAGE_MARKER = Buffer.from('"image');
/** What the estimator may charge for one image at most (Anthropic's ~1,600 tokens for a full-size image). */
const IMAGE_TOKEN_ALLOWANCE = 1600;

/**
 * An upper bound of the body's prompt tokens, without reading it: a token covers at least one byte of text, so the byte
 * count bounds the text; images are charged by size, not bytes, so each one adds its allowance. `imageStrings` is the
 * scan's count of strings that begin with `image` (every image part has one); without it the body is searched.
 */
export function tokenUpperBound(raw: Buffer, imageStrings: number | null = null): number {
  let images = imageStrings ?? 0;
  if (imageStrings === null) {
    for (let at = raw.indexOf(IMAGE_MARKER); at !== -1; at = raw.indexOf(IMAGE_MARKER, at + IMAGE_MARKER.length)) images++;
  }
  return raw.length + images * IMAGE_TOKEN_ALLOWANCE;
}

/** Which agent sent the request, from the headers agents set about themselves. */
function clientName(request: IncomingMessage): string | null {
  const named = headerValue(request, 'x-title') ?? headerValue(request, 'x-kilocode-editorname');
  if (named) return named.slice(0, 80);
  const userAgent = headerValue(request, 'user-agent');
  return userAgent ? userAgent.split(' ')[0]!.slice(0, 80) : null;
}

function sessionFromBody(body: ClientBody): string | null {
  const metadata = body.has('metadata') ? body.field('metadata') : undefined;
  if (isRecord(metadata) && typeof metadata.user_id === 'string') return metadata.user_id.slice(0, 200);
  return null;
}

/**
 * An answer came without usage (an OpenAI-compatible upstream that ignores `stream_options`, a stream cut off before its
 * usage chunk, a client that left mid-answer): the record gets estimated tokens, marked so, instead of none. Input from
 * the client's body (the same estimator as `count_tokens`), output from what the relay saw of the answer.
 */
function estimateMissingUsage(state: RequestState): void {
  let inputTokens: number | null = null;
  try {
    if (state.body) inputTokens = estimateInputTokens(state.spec.protocol, state.body.json);
  } catch {
    // A body that no longer parses cannot be counted; the input stays unknown.
  }
  if (inputTokens === null && state.answerTokens === null) return;
  state.usage = { inputTokens, outputTokens: state.answerTokens, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null };
  state.tokensEstimated = true;
}

/** Logs, counts and stores the request's record; never throws (a store failure is logged, not sent to the client). */
async function writeRecord(state: RequestState, deps: PipelineDeps): Promise<void> {
  if (state.served !== null && !hasTokens(state.usage)) estimateMissingUsage(state);
  const usageRecord = buildUsageRecord(state, state.config);
  logRequest(deps.logger, usageRecord);
  deps.metrics?.observe(usageRecord);
  try {
    await deps.usage.record(usageRecord);
  } catch (error) {
    deps.logger.error({ err: error, requestId: state.id }, 'usage record not stored');
  }
}
