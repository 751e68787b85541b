import type { NormalizedUsage } from './types.js';

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : null;
}

function record(value: unknown): Record<string, unknown> | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
}

/**
 * OpenAI Chat Completions `usage` → normalised counts. `prompt_tokens` already includes cached tokens
 * (`prompt_tokens_details.cached_tokens`); OpenRouter adds `cache_write_tokens` there and `cost` (USD) at the top.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */
export function usageFromOpenAI(usage: unknown): NormalizedUsage | null {
  const value = record(usage);
  if (!value) return null;
  const promptDetails = record(value.prompt_tokens_details);
  const completionDetails = record(value.completion_tokens_details);
  const upstreamCost = count(value.cost);
  return {
    inputTokens: count(value.prompt_tokens),
    outputTokens: count(value.completion_tokens),
    cacheReadTokens: count(promptDetails?.cached_tokens) ?? 0,
    cacheWriteTokens: count(promptDetails?.cache_write_tokens) ?? 0,
    reasoningTokens: count(completionDetails?.reasoning_tokens),
    ...(upstreamCost !== null ? { upstreamCostUsd: upstreamCost } : {}),
  };
}

/**
 * Anthropic Messages `usage` → normalised counts. Anthropic's `input_tokens` EXCLUDES cache reads and writes, so they are
 * added back to make `inputTokens` the whole prompt. In a stream, message_start carries the input side and message_delta
 * the final output count (and, on some versions, updated input counts): merge them with `mergeUsage`.
 * @see https://docs.anthropic.com/en/api/messages
 */
export function usageFromAnthropic(usage: unknown): NormalizedUsage | null {
  const value = record(usage);
  if (!value) return null;
  const plainInput = count(value.input_tokens);
  const cacheRead = count(value.cache_read_input_tokens) ?? 0;
  const cacheWrite = count(value.cache_creation_input_tokens) ?? 0;
  return {
    inputTokens: plainInput === null ? null : plainInput + cacheRead + cacheWrite,
    outputTokens: count(value.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: null,
  };
}

/** Later figures win where they are known. */
export function mergeUsage(earlier: NormalizedUsage | null, later: NormalizedUsage | null): NormalizedUsage | null {
  if (!earlier) return later;
  if (!later) return earlier;
  return {
    inputTokens: later.inputTokens || earlier.inputTokens,
    outputTokens: later.outputTokens ?? earlier.outputTokens,
    cacheReadTokens: later.cacheReadTokens || earlier.cacheReadTokens,
    cacheWriteTokens: later.cacheWriteTokens || earlier.cacheWriteTokens,
    reasoningTokens: later.reasoningTokens ?? earlier.reasoningTokens,
    ...((later.upstreamCostUsd ?? earlier.upstreamCostUsd) != null ? { upstreamCostUsd: later.upstreamCostUsd ?? earlier.upstreamCostUsd } : {}),
  };
}
