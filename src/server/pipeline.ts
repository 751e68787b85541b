import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CompiledConfig } from '../config/compiled.js';
import { GatewayError, toGatewayError, type ErrorCode } from '../errors.js';
import { buildUpstreamTarget } from '../providers/adapters.js';
import { UpstreamCallError, type UpstreamClient, type UpstreamResponse } from '../providers/upstream-client.js';
import { classifyStatus, isRetryable, type FailureClass } from '../router/classify-failure.js';
import { decide } from '../router/decide.js';
import type { Candidate, Decision, InferredModeResult } from '../router/decision.js';
import { costOf, priceUsage } from '../usage/pricing.js';
import type { AttemptRecord, ClientProtocol, NormalizedUsage, UsageRecord } from '../usage/types.js';
import type { ClientProtocolSpec, ResponseContext } from './client-protocols/types.js';
import { isRecord } from './client-protocols/types.js';
import { headerValue, readBody, sendJson } from './http-util.js';

/** Where finished requests go. `record` resolves once the record is durable; the response's last byte waits for it. */
export interface UsageSink {
  record(record: UsageRecord): Promise<void>;
}

export interface PipelineDeps {
  getConfig(): CompiledConfig;
  upstream: UpstreamClient;
  usage: UsageSink;
  logger: Logger;
  /** Epoch milliseconds. */
  now(): number;
  inferMode?: (protocol: ClientProtocol, body: unknown) => InferredModeResult;
  estimateInputTokens?: (protocol: ClientProtocol, body: unknown) => number;
}

/** Everything known about one request while it is served; becomes the usage record. */
interface RequestState {
  id: string;
  startedAt: number;
  startedPerf: number;
  route: string;
  spec: ClientProtocolSpec;
  body: Record<string, unknown> | null;
  decision: Decision | null;
  attempts: AttemptRecord[];
  served: Candidate | null;
  usage: NormalizedUsage | null;
  ttfbMs: number | null;
  streamed: boolean;
  aborted: boolean;
  status: number;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
}

/**
 * The one orchestrator of a model request: read → parse → decide → attempt loop → respond → record.
 * Same-protocol traffic passes through with only `model` replaced; the response is piped back through a usage tap.
 */
export async function handleModelRequest(
  spec: ClientProtocolSpec,
  request: IncomingMessage,
  response: ServerResponse,
  route: string,
  deps: PipelineDeps,
): Promise<void> {
  const config = deps.getConfig();
  const state: RequestState = {
    id: randomUUID(),
    startedAt: deps.now(),
    startedPerf: performance.now(),
    route,
    spec,
    body: null,
    decision: null,
    attempts: [],
    served: null,
    usage: null,
    ttfbMs: null,
    streamed: false,
    aborted: false,
    status: 200,
    errorCode: null,
    errorMessage: null,
  };
  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) {
      state.aborted = true;
      controller.abort();
    }
  });

  try {
    const raw = await readBody(request, config.server.bodyLimitBytes);
    const body = parseBody(raw, spec);
    state.body = body;
    state.streamed = spec.isStream(body);
    const decision = decide(
      {
        protocol: spec.protocol,
        requestedModel: typeof body.model === 'string' ? body.model : '',
        kilocodeModeHeader: headerValue(request, 'x-kilocode-mode'),
        automodelModeHeader: headerValue(request, 'x-automodel-mode'),
        ...(deps.inferMode ? { inferMode: () => deps.inferMode!(spec.protocol, body) } : {}),
        ...(deps.estimateInputTokens ? { estimatedInputTokens: deps.estimateInputTokens(spec.protocol, body) } : {}),
        ...(spec.requestedOutputTokens(body) !== undefined ? { requestedOutputTokens: spec.requestedOutputTokens(body)! } : {}),
        now: state.startedAt,
      },
      config,
    );
    state.decision = decision;
    if (decision.error) throw new GatewayError(decision.error.code, decision.error.message);
    await attemptCandidates(state, request, response, controller, deps);
  } catch (error) {
    const gatewayError = toGatewayError(error);
    if (gatewayError.code === 'internal_error') deps.logger.error({ err: error, requestId: state.id }, 'internal error');
    state.status = gatewayError.status;
    state.errorCode = gatewayError.code;
    state.errorMessage = gatewayError.message;
    await finishWithError(state, response, gatewayError, deps);
  }
}

function parseBody(raw: Buffer, spec: ClientProtocolSpec): Record<string, unknown> {
  let body: unknown;
  try {
    body = JSON.parse(raw.toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (!isRecord(body)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
  const problem = spec.validate(body);
  if (problem) throw new GatewayError('invalid_request', problem);
  return body;
}

async function attemptCandidates(
  state: RequestState,
  request: IncomingMessage,
  response: ServerResponse,
  controller: AbortController,
  deps: PipelineDeps,
): Promise<void> {
  const decision = state.decision!;
  const config = deps.getConfig();
  const candidates = decision.candidates.filter((candidate) => candidate.protocol === state.spec.protocol);
  if (candidates.length === 0) {
    throw new GatewayError('no_provider', `No configured provider speaks ${state.spec.protocol} for this model yet.`);
  }
  const clientHeaders = forwardedClientHeaders(request, state.spec.protocol);
  let lastError: GatewayError | null = null;

  for (let index = 0; index < candidates.length; index++) {
    const candidate = candidates[index]!;
    const isLast = index === candidates.length - 1;
    const provider = config.providers.find((entry) => entry.id === candidate.providerId)!;
    const target = buildUpstreamTarget(provider, { stream: state.streamed, clientHeaders, path: state.spec.upstreamPath });
    const attemptStarted = performance.now();
    const attempt: AttemptRecord = { provider: candidate.providerId, model: candidate.upstreamModel, status: null, failureClass: null, durationMs: 0 };
    state.attempts.push(attempt);
    let upstream: UpstreamResponse;
    try {
      upstream = await deps.upstream.call({
        target,
        body: state.spec.passThroughBody(state.body!, candidate.upstreamModel),
        signal: controller.signal,
        firstByteMs: state.streamed ? provider.timeouts.streamFirstByteMs : provider.timeouts.firstByteMs,
        idleMs: provider.timeouts.idleMs,
      });
    } catch (error) {
      attempt.durationMs = performance.now() - attemptStarted;
      const failure = error instanceof UpstreamCallError ? error : null;
      attempt.failureClass = failure?.failureClass ?? 'network';
      if (state.aborted || failure?.failureClass === 'aborted') return finishAborted(state, deps);
      lastError = failure ? failure.toGatewayError() : toGatewayError(error);
      if (!isLast && isRetryable(attempt.failureClass as FailureClass)) continue;
      throw lastError;
    }
    attempt.status = upstream.status;
    if (upstream.status >= 400) {
      const failureClass = classifyStatus(upstream.status);
      attempt.failureClass = failureClass;
      lastError = await upstreamStatusError(upstream);
      attempt.durationMs = performance.now() - attemptStarted;
      if (!isLast && isRetryable(failureClass)) continue;
      throw lastError;
    }
    state.served = candidate;
    if (state.streamed) await relayStream(state, upstream, response, deps);
    else await relayJson(state, upstream, response, deps);
    attempt.durationMs = performance.now() - attemptStarted;
    return;
  }
  throw lastError ?? new GatewayError('no_provider', 'No candidate could be tried.');
}

/** Headers of the client's worth passing on to a same-protocol upstream. */
function forwardedClientHeaders(request: IncomingMessage, protocol: ClientProtocol): Record<string, string> {
  const headers: Record<string, string> = {};
  if (protocol === 'anthropic-messages') {
    const beta = headerValue(request, 'anthropic-beta');
    const version = headerValue(request, 'anthropic-version');
    if (beta) headers['anthropic-beta'] = beta;
    if (version) headers['anthropic-version'] = version;
  }
  return headers;
}

/** Reads an upstream error answer (bounded) into a GatewayError carrying the upstream's status and message. */
async function upstreamStatusError(upstream: UpstreamResponse): Promise<GatewayError> {
  let text = '';
  try {
    for await (const chunk of upstream.body) {
      if (text.length < 65_536) text += (chunk as Buffer).toString('utf8');
    }
  } catch {
    // The message is best effort; the status alone still says what happened.
  }
  let message = text.slice(0, 2000) || `Upstream answered ${upstream.status}.`;
  let type: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed) && isRecord(parsed.error)) {
      if (typeof parsed.error.message === 'string') message = parsed.error.message;
      if (typeof parsed.error.type === 'string') type = parsed.error.type;
    } else if (isRecord(parsed) && typeof parsed.message === 'string') {
      message = parsed.message;
    }
  } catch {
    // Not JSON: keep the text.
  }
  const headers: Record<string, string> = {};
  for (const name of ['retry-after', 'retry-after-ms']) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const code: ErrorCode = upstream.status === 429 ? 'upstream_rate_limited' : upstream.status === 529 ? 'upstream_overloaded' : 'upstream_error';
  return new GatewayError(code, message, {
    status: upstream.status,
    upstream: { status: upstream.status, message, ...(type ? { type } : {}) },
    headers,
  });
}

function responseContext(state: RequestState, deps: PipelineDeps): ResponseContext {
  const prices = state.served?.modelId ? deps.getConfig().catalog.find(state.served.modelId)?.prices : undefined;
  const options = state.body?.stream_options;
  return {
    costFor: (usage) => priceUsage(usage, prices),
    clientWantsStreamUsage: isRecord(options) && options.include_usage === true,
  };
}

function routingHeaders(state: RequestState): Record<string, string> {
  const decision = state.decision;
  const headers: Record<string, string> = { 'x-automodel-request-id': state.id };
  if (!decision) return headers;
  headers['x-automodel-mode'] = decision.mode ?? 'none';
  headers['x-automodel-mode-source'] = decision.modeSource;
  headers['x-automodel-tier'] = decision.tier ?? 'none';
  if (state.served) {
    headers['x-automodel-model'] = state.served.upstreamModel;
    headers['x-automodel-provider'] = state.served.providerId;
  }
  headers['x-automodel-attempts'] = String(state.attempts.length);
  return headers;
}

async function relayJson(state: RequestState, upstream: UpstreamResponse, response: ServerResponse, deps: PipelineDeps): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of upstream.body) {
    if (state.ttfbMs === null) state.ttfbMs = performance.now() - state.startedPerf;
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks);
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GatewayError('upstream_invalid_response', 'The upstream answered 200 with a body that is not JSON.');
  }
  let text: string | Buffer = raw;
  if (isRecord(json)) {
    state.usage = state.spec.usageFromJson(json);
    state.spec.decorateJson(json, responseContext(state, deps));
    text = JSON.stringify(json);
  }
  await record(state, deps);
  if (state.aborted) return;
  response.writeHead(200, {
    ...routingHeaders(state),
    ...costHeader(state, deps),
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}

function relayStream(state: RequestState, upstream: UpstreamResponse, response: ServerResponse, deps: PipelineDeps): Promise<void> {
  const tap = state.spec.createUsageTap(responseContext(state, deps));
  response.writeHead(200, {
    ...routingHeaders(state),
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
  });
  response.flushHeaders();
  return new Promise<void>((resolve) => {
    let settled = false;
    const settle = async (error: unknown) => {
      if (settled) return;
      settled = true;
      state.usage = tap.usage();
      if (tap.stream.firstByteAt !== null) state.ttfbMs = tap.stream.firstByteAt - state.startedPerf;
      const inStreamError = tap.streamError();
      if (state.aborted) {
        upstream.body.destroy();
        await record(state, deps);
        resolve();
        return;
      }
      if (error) {
        const gatewayError = error instanceof UpstreamCallError ? error.toGatewayError() : toStreamError(error);
        state.errorCode = gatewayError.code;
        state.errorMessage = gatewayError.message;
        upstream.body.unpipe(tap.stream);
        tap.stream.unpipe(response);
        response.write(state.spec.streamErrorFrame(gatewayError));
      } else if (inStreamError) {
        state.errorCode = 'upstream_error';
        state.errorMessage = inStreamError;
      }
      await record(state, deps);
      response.end();
      resolve();
    };
    upstream.body.on('error', (error) => void settle(error));
    tap.stream.on('error', (error) => void settle(error));
    tap.stream.on('end', () => void settle(null));
    response.on('close', () => {
      if (!response.writableFinished) void settle(null);
    });
    upstream.body.pipe(tap.stream).pipe(response, { end: false });
  });
}

function toStreamError(error: unknown): GatewayError {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'UND_ERR_BODY_TIMEOUT') return new GatewayError('upstream_timeout', 'The upstream stream stalled.');
  return new GatewayError('upstream_unreachable', 'The upstream connection broke mid-stream.');
}

function costHeader(state: RequestState, deps: PipelineDeps): Record<string, string> {
  if (!state.usage || !state.served?.modelId) return {};
  const cost = costOf(state.usage, deps.getConfig().catalog.find(state.served.modelId)?.prices);
  return cost.usd === null ? {} : { 'x-automodel-cost-usd': cost.usd.toFixed(8) };
}

async function finishAborted(state: RequestState, deps: PipelineDeps): Promise<void> {
  state.status = 499;
  await record(state, deps);
}

async function finishWithError(state: RequestState, response: ServerResponse, error: GatewayError, deps: PipelineDeps): Promise<void> {
  await record(state, deps);
  if (state.aborted || response.destroyed) return;
  if (response.headersSent) {
    response.end(state.spec.streamErrorFrame(error));
    return;
  }
  const headers: Record<string, string> = { ...routingHeaders(state), ...error.headers };
  if (error.code === 'body_too_large') headers.connection = 'close';
  sendJson(response, error.status, state.spec.errorBody(error), headers);
}

/** Builds the usage record and waits until it is durable. Never throws: a store failure is logged, not sent to the client. */
async function record(state: RequestState, deps: PipelineDeps): Promise<void> {
  const config = deps.getConfig();
  const decision = state.decision;
  const usage = state.usage;
  const servedModel = state.served?.modelId ? config.catalog.find(state.served.modelId) : undefined;
  const cost = usage ? costOf(usage, servedModel?.prices) : { usd: null, source: 'unknown' as const };
  const virtualModel = decision?.virtualModel ? config.virtualModels.get(decision.virtualModel) : undefined;
  const baselineModelId = virtualModel ? virtualModel.tiers[virtualModel.baselineTier]?.[0] : state.served?.modelId;
  const baselinePrices = baselineModelId ? config.catalog.find(baselineModelId)?.prices : undefined;
  const durationMs = performance.now() - state.startedPerf;
  const body = state.body;
  const usageRecord: UsageRecord = {
    id: state.id,
    time: state.startedAt,
    clientProtocol: state.spec.protocol,
    route: state.route,
    clientName: null,
    sessionId: null,
    mode: decision?.mode ?? null,
    modeSource: decision?.modeSource ?? 'default',
    tier: decision?.tier ?? null,
    requestedModel: body && typeof body.model === 'string' ? body.model : null,
    servedModel: state.served ? (state.served.modelId ?? state.served.upstreamModel) : null,
    provider: state.served?.providerId ?? null,
    attempts: state.attempts,
    status: state.aborted ? 499 : state.status,
    errorCode: state.errorCode,
    inputTokens: usage?.inputTokens ?? null,
    outputTokens: usage?.outputTokens ?? null,
    cacheReadTokens: usage?.cacheReadTokens ?? null,
    cacheWriteTokens: usage?.cacheWriteTokens ?? null,
    reasoningTokens: usage?.reasoningTokens ?? null,
    tokensEstimated: false,
    costUsd: cost.usd,
    costSource: cost.source,
    baselineCostUsd: usage ? priceUsage(usage, baselinePrices) : null,
    ttfbMs: state.ttfbMs === null ? null : Math.round(state.ttfbMs * 100) / 100,
    durationMs: Math.round(durationMs * 100) / 100,
    streamed: state.streamed,
    aborted: state.aborted,
    reason: decision?.reason ?? null,
    detail: decision
      ? { diagnostics: decision.diagnostics, inference: decision.inference, skipped: decision.skipped.map((entry) => entry.skipReason), error: state.errorMessage }
      : state.errorMessage
        ? { error: state.errorMessage }
        : null,
  };
  deps.logger.info(
    {
      requestId: usageRecord.id,
      route: usageRecord.route,
      mode: usageRecord.mode,
      modeSource: usageRecord.modeSource,
      tier: usageRecord.tier,
      model: usageRecord.servedModel,
      provider: usageRecord.provider,
      status: usageRecord.status,
      error: usageRecord.errorCode,
      attempts: usageRecord.attempts.length,
      inputTokens: usageRecord.inputTokens,
      outputTokens: usageRecord.outputTokens,
      costUsd: usageRecord.costUsd,
      ms: usageRecord.durationMs,
      reason: usageRecord.reason,
    },
    'request',
  );
  try {
    await deps.usage.record(usageRecord);
  } catch (error) {
    deps.logger.error({ err: error, requestId: state.id }, 'usage record not stored');
  }
}
