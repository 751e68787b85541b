import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ProviderConfig } from '../config/compiled.js';
import { GatewayError, toGatewayError, type ErrorCode } from '../errors.js';
import { anthropicToOpenaiChat, openaiChatToAnthropic } from '../protocols/translate/index.js';
import { buildUpstreamTarget } from '../providers/adapters.js';
import { UpstreamCallError, type UpstreamResponse } from '../providers/upstream-client.js';
import { canFallBack, classifyStatus, isRetryable, type FailureClass } from '../router/classify-failure.js';
import type { Candidate } from '../router/decision.js';
import { nextRetryDelay, retryAfterMs } from '../router/retry-policy.js';
import { costOf, priceUsage } from '../usage/pricing.js';
import type { AttemptRecord, ClientProtocol } from '../usage/types.js';
import type { ClientAbort } from './client-abort.js';
import { isRecord, type ResponseContext } from './client-protocols/types.js';
import { headerValue } from './http-util.js';
import type { PipelineDeps } from './pipeline.js';
import { relayJson, relayStream, type Recorder } from './relay.js';
import type { RequestState } from './request-state.js';
import { awaitFirstToken, createStreamDecoding } from './upstream-stream.js';

type AttemptOutcome = { kind: 'done' } | { kind: 'failed'; error: GatewayError; failureClass: FailureClass; retryAfterMs: number | null };

/** The key a circuit breaker and the health endpoint know a candidate by. */
export function candidateKey(candidate: Candidate): string {
  return `${candidate.providerId}:${candidate.upstreamModel}`;
}

/**
 * The attempt loop: every candidate of the decision in order, skipping open circuits; then, while the failures were
 * retryable and time remains, further rounds after a backoff that honours `retry-after`. Fallback happens only before
 * the first byte reaches the client; a client error (4xx) ends the loop at once.
 */
export async function runAttempts(
  state: RequestState,
  request: IncomingMessage,
  response: ServerResponse,
  abort: ClientAbort,
  deps: PipelineDeps,
  record: Recorder,
): Promise<void> {
  const candidates = state.decision!.candidates;
  const loopStarted = performance.now();
  let lastError: GatewayError | null = null;
  for (let round = 0; ; round++) {
    let retryAfter: number | null = null;
    let attempted = false;
    let retryable = false;
    const consider = (outcome: Extract<AttemptOutcome, { kind: 'failed' }>) => {
      lastError = outcome.error;
      if (!canFallBack(outcome.failureClass)) throw outcome.error;
      if (isRetryable(outcome.failureClass)) retryable = true;
      if (outcome.retryAfterMs !== null) retryAfter = Math.min(retryAfter ?? Infinity, outcome.retryAfterMs);
    };
    for (const candidate of candidates) {
      if (!deps.breakers.admit(candidateKey(candidate), deps.now())) {
        state.warnings.push(`skipped ${candidateKey(candidate)}: circuit open`);
        continue;
      }
      attempted = true;
      const outcome = await attemptOnce(state, candidate, request, response, abort, deps, record);
      if (outcome.kind === 'done' || state.aborted) return;
      consider(outcome);
    }
    if (!attempted) {
      // Every circuit is open: rather than refuse, send one request to the first candidate (it may have recovered).
      const outcome = await attemptOnce(state, candidates[0]!, request, response, abort, deps, record);
      if (outcome.kind === 'done' || state.aborted) return;
      consider(outcome);
    }
    const delay = retryable ? nextRetryDelay(deps.retryPolicy, round + 1, performance.now() - loopStarted, retryAfter, deps.random) : null;
    if (delay === null) throw lastError ?? new GatewayError('no_provider', 'No candidate could be tried.');
    await deps.sleep(delay, abort);
    if (state.aborted) return;
  }
}

async function attemptOnce(
  state: RequestState,
  candidate: Candidate,
  request: IncomingMessage,
  response: ServerResponse,
  abort: ClientAbort,
  deps: PipelineDeps,
  record: Recorder,
): Promise<AttemptOutcome> {
  const config = state.config;
  const provider = config.providers.find((entry) => entry.id === candidate.providerId)!;
  const key = candidateKey(candidate);
  const attempt: AttemptRecord = { provider: candidate.providerId, model: candidate.upstreamModel, status: null, failureClass: null, durationMs: 0 };
  state.attempts.push(attempt);
  const started = performance.now();
  const startedAt = deps.now();
  const fail = (failureClass: FailureClass, error: GatewayError, retryAfter: number | null = null): AttemptOutcome => {
    attempt.failureClass = failureClass;
    attempt.durationMs = round2(performance.now() - started);
    deps.metrics?.attempt(candidate.providerId, candidate.modelId ?? candidate.upstreamModel, failureClass);
    if (failureClass === 'aborted' || failureClass === 'client') deps.breakers.release(key);
    else deps.breakers.failure(key, deps.now(), failureClass, startedAt);
    return { kind: 'failed', error, failureClass, retryAfterMs: retryAfter };
  };

  let upstreamBody: string | Buffer;
  try {
    upstreamBody = buildUpstreamBody(state, candidate, provider, deps);
  } catch (error) {
    return fail('client', new GatewayError('invalid_request', `The request cannot be sent to ${candidate.upstreamModel}: ${(error as Error).message}`));
  }
  const target = buildUpstreamTarget(provider, {
    stream: state.streamed,
    clientHeaders: candidate.protocol === state.spec.protocol ? forwardedClientHeaders(request, candidate.protocol) : {},
    path: candidate.protocol === 'anthropic-messages' ? '/messages' : '/chat/completions',
  });

  let upstream: UpstreamResponse;
  try {
    upstream = await deps.upstream.call({
      target,
      body: upstreamBody,
      signal: abort,
      firstByteMs: state.streamed ? provider.timeouts.streamFirstByteMs : provider.timeouts.firstByteMs,
      idleMs: provider.timeouts.idleMs,
    });
  } catch (error) {
    const failure = error instanceof UpstreamCallError ? error : null;
    return fail(failure?.failureClass ?? 'network', failure ? failure.toGatewayError() : toGatewayError(error));
  }
  attempt.status = upstream.status;
  if (upstream.status >= 400) {
    const error = await upstreamStatusError(upstream, state.config.providers);
    return fail(classifyStatus(upstream.status), error, retryAfterMs(upstream.headers, deps.now()));
  }

  state.served = candidate;
  const context = responseContext(state, candidate, deps);
  try {
    if (!state.streamed) {
      await relayJson(state, upstream, response, context, record, (headers) => addCostHeader(state, headers));
    } else {
      const decoding = createStreamDecoding(candidate.protocol, { untilCommit: candidate.protocol === state.spec.protocol });
      const gate = await awaitFirstToken(upstream.body, decoding, provider.timeouts.streamFirstByteMs);
      if (gate.kind === 'failure') {
        upstream.body.destroy();
        state.served = null;
        const code: ErrorCode =
          gate.failureClass === 'timeout' ? 'upstream_timeout' : gate.failureClass === 'overloaded' ? 'upstream_overloaded' : gate.failureClass === 'rate-limit' ? 'upstream_rate_limited' : 'upstream_error';
        const status = gate.failureClass === 'client' ? 400 : undefined;
        return fail(gate.failureClass, new GatewayError(code, gate.message, status ? { status } : {}));
      }
      deps.metrics?.streamOpened();
      try {
        await relayStream(state, upstream, response, context, { ...gate, decoding }, record);
      } finally {
        deps.metrics?.streamClosed();
      }
    }
  } catch (error) {
    // Nothing has reached the client while headers are unsent: this attempt failed and the next may serve.
    if (!response.headersSent && !state.aborted) {
      upstream.body.destroy();
      state.served = null;
      const gatewayError = toGatewayError(error);
      return fail(gatewayError.code === 'upstream_invalid_response' ? 'invalid-response' : 'network', gatewayError);
    }
    throw error;
  }
  attempt.durationMs = round2(performance.now() - started);
  if (state.aborted) {
    attempt.failureClass = 'aborted';
    deps.breakers.release(key);
  } else {
    deps.breakers.success(key, deps.now(), attempt.durationMs);
    deps.metrics?.attempt(candidate.providerId, candidate.modelId ?? candidate.upstreamModel, null);
  }
  return { kind: 'done' };
}

/** The body for this candidate: the client's own with `model` replaced, or a translation into the upstream's protocol. */
function buildUpstreamBody(state: RequestState, candidate: Candidate, provider: ProviderConfig, deps: PipelineDeps): string | Buffer {
  const body = state.body!;
  if (candidate.protocol === state.spec.protocol) {
    body.dropParsed();
    return state.spec.passThroughBody(body, candidate.upstreamModel);
  }
  const json = body.json;
  body.dropParsed();
  const model = candidate.modelId ? state.config.catalog.find(candidate.modelId) : undefined;
  const translated =
    candidate.protocol === 'anthropic-messages'
      ? openaiChatToAnthropic(json as never, {
          model: candidate.upstreamModel,
          maxTokensDefault: Math.min(model?.maxOutputTokens ?? 8192, 32_000),
          promptCaching: deps.promptCaching ?? true,
        })
      : anthropicToOpenaiChat(json as never, { model: candidate.upstreamModel, dialect: provider.type === 'openrouter' ? 'openrouter' : 'openai' });
  for (const warning of translated.warnings) if (!state.warnings.includes(warning)) state.warnings.push(warning);
  return JSON.stringify(translated.body);
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

/** Reads an upstream error answer (bounded) into a GatewayError carrying the upstream's status, type and message. */
async function upstreamStatusError(upstream: UpstreamResponse, providers: ProviderConfig[]): Promise<GatewayError> {
  let text = '';
  try {
    for await (const chunk of upstream.body) if (text.length < 65_536) text += (chunk as Buffer).toString('utf8');
  } catch {
    // The message is best effort; the status alone still says what happened.
  }
  let message = text.slice(0, 2000) || `Upstream answered ${upstream.status}.`;
  let type: string | undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const error = isRecord(parsed) ? parsed.error : undefined;
    if (isRecord(error)) {
      if (typeof error.message === 'string') message = error.message;
      if (typeof error.type === 'string') type = error.type;
    } else if (isRecord(parsed) && typeof parsed.message === 'string') {
      message = parsed.message;
    }
  } catch {
    // Not JSON: keep the text.
  }
  // Some upstreams quote the key they refused ("Incorrect API key provided: sk-…"): it must not travel on.
  message = scrubKeys(message, providers);
  const headers: Record<string, string> = {};
  for (const name of ['retry-after', 'retry-after-ms']) {
    const value = upstream.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  const code: ErrorCode = upstream.status === 429 ? 'upstream_rate_limited' : upstream.status === 529 ? 'upstream_overloaded' : 'upstream_error';
  return new GatewayError(code, message, { status: upstream.status, upstream: { status: upstream.status, message, ...(type ? { type } : {}) }, headers });
}

/** Replaces every configured provider key (and any long prefix of one an upstream may echo) with `[redacted]`. */
export function scrubKeys(text: string, providers: ProviderConfig[]): string {
  let out = text;
  for (const provider of providers) {
    const key = provider.apiKey;
    if (!key || key.length < 8) continue;
    if (out.includes(key)) out = out.split(key).join('[redacted]');
    // Providers often echo a truncated key ("sk-ant-…6789"): hide any 8+ character run of it.
    const head = key.slice(0, Math.min(12, key.length));
    if (out.includes(head)) out = out.split(head).join('[redacted]');
    const tail = key.slice(-8);
    if (out.includes(tail)) out = out.split(tail).join('[redacted]');
  }
  return out;
}

function responseContext(state: RequestState, candidate: Candidate, deps: PipelineDeps): ResponseContext {
  const prices = candidate.modelId ? state.config.catalog.find(candidate.modelId)?.prices : undefined;
  const options = state.body?.field('stream_options');
  return {
    costFor: (usage) => priceUsage(usage, prices),
    clientWantsStreamUsage: isRecord(options) && options.include_usage === true,
  };
}

function addCostHeader(state: RequestState, headers: Record<string, string>): void {
  if (!state.usage || !state.served?.modelId) return;
  const { usd } = costOf(state.usage, state.config.catalog.find(state.served.modelId)?.prices);
  if (usd !== null) headers['x-automodel-cost-usd'] = usd.toFixed(8);
}

function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
