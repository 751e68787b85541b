import type { ProviderType } from '../config/compiled.js';
import type { ClientProtocol, ModeSource } from '../usage/types.js';

/** What the router needs to know about one request. Built by the server from the parsed body and headers. */
export interface RouteInput {
  protocol: ClientProtocol;
  /** The `model` field as the client sent it. */
  requestedModel: string;
  /** `x-kilocode-mode`, then `x-automodel-mode`, as sent (not yet normalised). */
  kilocodeModeHeader?: string | undefined;
  automodelModeHeader?: string | undefined;
  /**
   * Mode inference, called only when no header names a mode (so it costs nothing when one does).
   * Pure: the server passes `() => inferMode(protocol, body)`.
   */
  inferMode?: () => InferredModeResult;
  /** Estimated prompt tokens, for the context-window check; omitted = unknown (no check unless `estimateInputTokens`). */
  estimatedInputTokens?: number;
  /** Computes the estimate on demand: called only when `inputTokensUpperBound` does not already rule out an overflow. */
  estimateInputTokens?: () => number;
  /** A cheap bound the estimate cannot exceed (the body's byte count, plus image allowances). */
  inputTokensUpperBound?: number;
  /** Output tokens the client asked for (max_tokens), for the context-window check. */
  requestedOutputTokens?: number;
  /** Epoch ms; the router reads no clock. */
  now: number;
}

export interface InferredModeResult {
  mode: string | null;
  confidence: number;
  evidence: string[];
  agent: string | null;
}

/** One upstream the request may be sent to, in order of preference. */
export interface Candidate {
  providerId: string;
  providerType: ProviderType;
  protocol: ClientProtocol;
  /** Catalog id, or null for a concrete model the catalog does not know (passed through as is). */
  modelId: string | null;
  /** The id sent upstream in `model`. */
  upstreamModel: string;
  contextWindow: number | null;
  /** Set when config allows crossing tiers and this candidate belongs to another tier than the decided one. */
  crossTier?: string;
}

export interface SkippedCandidate extends Candidate {
  skipReason: string;
}

/** Why a request goes where it goes. Logged, stored with the usage record and summarised in `x-automodel-*` headers. */
export interface Decision {
  requestedModel: string;
  /** The virtual model's canonical id (`kilo/auto`), or null for a concrete model. */
  virtualModel: string | null;
  mode: string | null;
  modeSource: ModeSource;
  tier: string | null;
  candidates: Candidate[];
  skipped: SkippedCandidate[];
  /**
   * One line a person can read: why this model, steps joined by ` -> `. ASCII on purpose: one `→` made this string, and
   * every journal line, log line and record built from it, a two-byte string, which doubled their memory and sent
   * JSON.stringify and the UTF-8 write down V8's slow paths (25k instructions a request, counted with callgrind). The
   * dashboard and the CLI draw the arrows.
   */
  reason: string;
  diagnostics: string[];
  inference: InferredModeResult | null;
  /** Set when no candidate remains: the error code the server answers with. */
  error: null | { code: 'model_not_found' | 'no_provider' | 'context_length_exceeded'; message: string };
  decidedAt: number;
}
