/**
 * Usage mapping between the two wire shapes and NormalizedUsage.
 *
 * The one trap: OpenAI's `prompt_tokens` counts every prompt token, cached ones included
 * (`prompt_tokens_details.cached_tokens` is a subset of it), while Anthropic's `input_tokens` counts only the
 * tokens after the last cache breakpoint: `cache_read_input_tokens` and `cache_creation_input_tokens` come on top.
 * NormalizedUsage follows OpenAI (inputTokens = everything), so:
 *   from Anthropic: inputTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens
 *   to Anthropic:   input_tokens = inputTokens - cacheReadTokens - cacheWriteTokens
 * Reasoning tokens are part of the output count in both protocols (Anthropic does not report them apart).
 */
import type { NormalizedUsage } from '../../usage/types.js';
import type { AnthropicUsage } from '../anthropic/messages-types.js';
import type { OpenAIUsage } from '../openai/chat-types.js';
import { isRecord, numberOrNull } from './values.js';

/** Normalises an OpenAI (or OpenRouter/DeepSeek/vLLM) usage object. Unknown counts stay null. */
export function usageFromOpenAI(usage: OpenAIUsage | null | undefined): NormalizedUsage {
  if (!isRecord(usage)) {
    return { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null };
  }
  const promptDetails = isRecord(usage.prompt_tokens_details) ? usage.prompt_tokens_details : undefined;
  const completionDetails = isRecord(usage.completion_tokens_details) ? usage.completion_tokens_details : undefined;
  // DeepSeek reports cache hits as prompt_cache_hit_tokens (also a subset of prompt_tokens).
  const cacheRead = numberOrNull(promptDetails?.cached_tokens) ?? numberOrNull(usage.prompt_cache_hit_tokens);
  const normalized: NormalizedUsage = {
    inputTokens: numberOrNull(usage.prompt_tokens),
    outputTokens: numberOrNull(usage.completion_tokens),
    cacheReadTokens: cacheRead,
    // OpenRouter reports Anthropic cache writes as prompt_tokens_details.cache_write_tokens.
    cacheWriteTokens: numberOrNull(promptDetails?.cache_write_tokens),
    reasoningTokens: numberOrNull(completionDetails?.reasoning_tokens),
  };
  const cost = numberOrNull(usage.cost);
  if (cost !== null) normalized.upstreamCostUsd = cost;
  return normalized;
}

/** Normalises an Anthropic usage object (from a message, `message_start` or `message_delta`). */
export function usageFromAnthropic(usage: AnthropicUsage | null | undefined): NormalizedUsage {
  if (!isRecord(usage)) {
    return { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null };
  }
  const uncached = numberOrNull(usage.input_tokens);
  const cacheRead = numberOrNull(usage.cache_read_input_tokens);
  const cacheWrite = numberOrNull(usage.cache_creation_input_tokens);
  return {
    inputTokens: uncached === null ? null : uncached + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: numberOrNull(usage.output_tokens),
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    reasoningTokens: null,
  };
}

/**
 * Renders NormalizedUsage as an OpenAI usage object. Unknown counts become 0 (clients expect numbers);
 * cache writes are reported as OpenRouter does (`prompt_tokens_details.cache_write_tokens`), and an
 * upstream-reported cost as `cost`.
 */
export function usageToOpenAI(usage: NormalizedUsage): OpenAIUsage {
  const promptTokens = usage.inputTokens ?? 0;
  const completionTokens = usage.outputTokens ?? 0;
  const result: OpenAIUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: {
      cached_tokens: usage.cacheReadTokens ?? 0,
      ...(usage.cacheWriteTokens !== null ? { cache_write_tokens: usage.cacheWriteTokens } : {}),
    },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
  if (typeof usage.upstreamCostUsd === 'number') result.cost = usage.upstreamCostUsd;
  return result;
}

/** Renders NormalizedUsage as an Anthropic usage object (input_tokens excludes cache reads and writes). */
export function usageToAnthropic(usage: NormalizedUsage): Required<Pick<AnthropicUsage, 'input_tokens' | 'output_tokens' | 'cache_read_input_tokens' | 'cache_creation_input_tokens'>> {
  const cacheRead = usage.cacheReadTokens ?? 0;
  const cacheWrite = usage.cacheWriteTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage.inputTokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage.outputTokens ?? 0,
    cache_read_input_tokens: cacheRead,
    cache_creation_input_tokens: cacheWrite,
  };
}

/**
 * Merges a later usage report into an earlier one: known counts in `later` win, unknown ones keep `earlier`'s.
 * Used when a stream reports input tokens at the start and output tokens at the end.
 */
export function mergeUsage(earlier: NormalizedUsage, later: NormalizedUsage): NormalizedUsage {
  const merged: NormalizedUsage = {
    inputTokens: later.inputTokens ?? earlier.inputTokens,
    outputTokens: later.outputTokens ?? earlier.outputTokens,
    cacheReadTokens: later.cacheReadTokens ?? earlier.cacheReadTokens,
    cacheWriteTokens: later.cacheWriteTokens ?? earlier.cacheWriteTokens,
    reasoningTokens: later.reasoningTokens ?? earlier.reasoningTokens,
  };
  const cost = later.upstreamCostUsd ?? earlier.upstreamCostUsd;
  if (cost !== undefined && cost !== null) merged.upstreamCostUsd = cost;
  return merged;
}
