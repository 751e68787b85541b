import type { CompiledConfig } from '../config/compiled.js';
import type { Candidate, Decision } from '../router/decision.js';
import type { ErrorCode } from '../errors.js';
import type { AttemptRecord, NormalizedUsage } from '../usage/types.js';
import type { ClientBody } from './client-body.js';
import type { ClientProtocolSpec } from './client-protocols/types.js';

/** Everything known about one request while it is served; it becomes the usage record. */
export interface RequestState {
  id: string;
  /** The config this request was admitted under: a reload applies to later requests only. */
  config: CompiledConfig;
  /** Epoch ms at arrival. */
  startedAt: number;
  startedPerf: number;
  route: string;
  spec: ClientProtocolSpec;
  clientName: string | null;
  sessionId: string | null;
  body: ClientBody | null;
  decision: Decision | null;
  attempts: AttemptRecord[];
  served: Candidate | null;
  usage: NormalizedUsage | null;
  tokensEstimated: boolean;
  /**
   * Output tokens of the answer as far as the relay could tell without the upstream's usage (see `estimateMissingUsage` in `pipeline.ts`):
   * counted only for the record of an answer that arrives without usage; null when not counted.
   */
  answerTokens: number | null;
  ttfbMs: number | null;
  streamed: boolean;
  aborted: boolean;
  status: number;
  errorCode: ErrorCode | null;
  errorMessage: string | null;
  /** Lossy-translation warnings for this request. */
  warnings: string[];
}

/** The `x-automodel-*` headers of a response, added to `headers` (a fresh object by default), which is returned. */
export function routingHeaders(state: RequestState, headers: Record<string, string> = {}): Record<string, string> {
  const decision = state.decision;
  headers['x-automodel-request-id'] = state.id;
  if (!decision) return headers;
  headers['x-automodel-mode'] = decision.mode ?? 'none';
  headers['x-automodel-mode-source'] = decision.modeSource;
  headers['x-automodel-tier'] = decision.tier ?? 'none';
  if (state.served) {
    headers['x-automodel-model'] = state.served.upstreamModel;
    headers['x-automodel-provider'] = state.served.providerId;
    if (state.served.crossTier) headers['x-automodel-fallback-tier'] = state.served.crossTier;
  }
  headers['x-automodel-attempts'] = String(state.attempts.length);
  return headers;
}
