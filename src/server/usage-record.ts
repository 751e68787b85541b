import type { Logger } from 'pino';
import type { ModelPrices } from '../catalog/models.js';
import type { CompiledConfig } from '../config/compiled.js';
import type { GatewayMetrics } from '../metrics/registry.js';
import { costOf, priceUsage } from '../usage/pricing.js';
import type { NormalizedUsage, UsageRecord } from '../usage/types.js';
import type { RequestState } from './request-state.js';

/** The request state as the record the store keeps. */
export function buildUsageRecord(state: RequestState, config: CompiledConfig): UsageRecord {
  const decision = state.decision;
  const usage = state.usage;
  const servedModel = state.served?.modelId ? config.catalog.find(state.served.modelId) : undefined;
  const cost = usage ? costOf(usage, servedModel?.prices) : { usd: null, source: 'unknown' as const };
  const virtualModel = decision?.virtualModel ? config.virtualModels.get(decision.virtualModel) : undefined;
  const baselineModelId = virtualModel ? virtualModel.tiers[virtualModel.baselineTier]?.[0] : state.served?.modelId;
  const baselinePrices = baselineModelId ? config.catalog.find(baselineModelId)?.prices : undefined;
  const body = state.body;
  const detail: Record<string, unknown> = {};
  if (decision) {
    detail.diagnostics = decision.diagnostics;
    if (decision.inference) detail.inference = decision.inference;
    if (decision.skipped.length > 0) detail.skipped = decision.skipped.map((entry) => `${entry.providerId}:${entry.upstreamModel}: ${entry.skipReason}`);
    detail.candidates = decision.candidates.map((candidate) => `${candidate.providerId}:${candidate.upstreamModel}`);
  }
  if (state.warnings.length > 0) detail.warnings = state.warnings;
  if (state.errorMessage) detail.error = state.errorMessage;
  return {
    id: state.id,
    time: state.startedAt,
    clientProtocol: state.spec.protocol,
    route: state.route,
    clientName: state.clientName,
    sessionId: state.sessionId,
    mode: decision?.mode ?? null,
    modeSource: decision?.modeSource ?? 'default',
    tier: decision?.tier ?? null,
    requestedModel: requestedModelOf(body),
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
    tokensEstimated: state.tokensEstimated,
    costUsd: cost.usd,
    costSource: cost.source,
    baselineCostUsd: usage ? baselineCost(usage, baselinePrices, cost.usd, Boolean(baselineModelId) && state.served?.modelId === baselineModelId) : null,
    ttfbMs: state.ttfbMs === null ? null : Math.round(state.ttfbMs * 100) / 100,
    durationMs: Math.round((performance.now() - state.startedPerf) * 100) / 100,
    streamed: state.streamed,
    aborted: state.aborted,
    reason: decision?.reason ?? null,
    detail: Object.keys(detail).length > 0 ? detail : null,
  };
}

/**
 * What the request would have cost on the baseline model. A request the baseline model served cost exactly that: its
 * own cost, whatever priced it. Re-pricing it from the catalog would set the upstream's figure (OpenRouter's
 * `usage.cost`, with its discounts) against list prices and show savings, or a loss, on a request routing did not
 * change.
 */
function baselineCost(usage: NormalizedUsage, prices: ModelPrices | undefined, costUsd: number | null, servedBaseline: boolean): number | null {
  if (servedBaseline && costUsd !== null) return costUsd;
  return priceUsage(usage, prices);
}

function requestedModelOf(body: RequestState['body']): string | null {
  try {
    const model = body?.field('model');
    return typeof model === 'string' ? model : null;
  } catch {
    return null;
  }
}

/** One log line per request, with the decision and the outcome; never a header or a key. */
export function logRequest(logger: Logger, record: UsageRecord): void {
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      requestId: record.id,
      route: record.route,
      client: record.clientName,
      mode: record.mode,
      modeSource: record.modeSource,
      tier: record.tier,
      model: record.servedModel,
      provider: record.provider,
      status: record.status,
      error: record.errorCode,
      attempts: record.attempts.map((attempt) => `${attempt.provider}:${attempt.model}:${attempt.failureClass ?? attempt.status ?? 'ok'}`),
      inputTokens: record.inputTokens,
      outputTokens: record.outputTokens,
      cacheReadTokens: record.cacheReadTokens,
      costUsd: record.costUsd,
      ttfbMs: record.ttfbMs,
      ms: record.durationMs,
      aborted: record.aborted || undefined,
      reason: record.reason,
    },
    'request',
  );
}

export type { GatewayMetrics };
