/**
 * Shared usage types: the normalised token counts every protocol maps into, and the record the gateway
 * keeps for each request. Plain types only, so pure modules (router, translators) can import them.
 */

/** The wire protocols a client (or an upstream) speaks. */
export type ClientProtocol = 'openai-chat' | 'anthropic-messages' | 'openai-responses';

/**
 * Token counts normalised across protocols. `inputTokens` counts every prompt token, cached or not
 * (OpenAI's `prompt_tokens`; Anthropic's `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`),
 * so `inputTokens - cacheReadTokens - cacheWriteTokens` is the part billed at the plain input price.
 * A count the upstream did not report is `null`, never 0.
 */
export interface NormalizedUsage {
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  /** Reasoning/thinking tokens, already included in `outputTokens`. */
  reasoningTokens: number | null;
  /** Cost the upstream itself reported in USD (OpenRouter's `usage.cost`), if any. */
  upstreamCostUsd?: number | null;
}

export type ModeSource = 'header' | 'inferred' | 'default' | 'config';
export type CostSource = 'catalog' | 'upstream' | 'unknown';

/** One upstream attempt as the usage record and the logs show it. */
export interface AttemptRecord {
  provider: string;
  model: string;
  /** HTTP status from the upstream, when one arrived. */
  status: number | null;
  /** Failure class from the classifier (`rate-limit`, `overloaded`, `server`, `timeout`, `network`, `client`), null on success. */
  failureClass: string | null;
  durationMs: number;
}

/** What the gateway stores for every request it answered, successful or not. */
export interface UsageRecord {
  /** The gateway's request id (also sent as `x-automodel-request-id`). */
  id: string;
  /** Request start, epoch milliseconds. */
  time: number;
  clientProtocol: ClientProtocol;
  /** The route path the client called, e.g. `/v1/chat/completions`. */
  route: string;
  clientName: string | null;
  sessionId: string | null;
  mode: string | null;
  modeSource: ModeSource;
  tier: string | null;
  requestedModel: string | null;
  servedModel: string | null;
  provider: string | null;
  attempts: AttemptRecord[];
  /** HTTP status sent to the client (200 for a stream that later failed; see errorClass). */
  status: number;
  /** Stable error code from the gateway's registry, null on success. */
  errorCode: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cacheReadTokens: number | null;
  cacheWriteTokens: number | null;
  reasoningTokens: number | null;
  /** True when the upstream reported no usage and the counts are the gateway's estimate. */
  tokensEstimated: boolean;
  costUsd: number | null;
  costSource: CostSource;
  /** The same tokens priced at the reasoning tier's model: what "always the strongest model" would have cost. */
  baselineCostUsd: number | null;
  ttfbMs: number | null;
  durationMs: number;
  streamed: boolean;
  aborted: boolean;
  /** The decision's one-line reason, for the requests list. */
  reason: string | null;
  /** Free-form JSON detail: diagnostics, inference evidence, warnings. */
  detail: Record<string, unknown> | null;
}
