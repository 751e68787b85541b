/**
 * Automatic prompt caching for requests translated to Anthropic.
 *
 * Anthropic caches a prefix up to each `cache_control` breakpoint, in the order tools → system → messages,
 * and allows at most four breakpoints per request. Agents resend the same long prefix every turn, so we mark:
 * the last tool, the last system block, then the most recent user turns (newest first) until four are used.
 * The newest user turn writes the cache; the one before it reads what the previous request wrote.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
import type { AnthropicContentBlock, AnthropicMessagesRequest, AnthropicToolResultBlock } from '../anthropic/messages-types.js';
import { isRecord } from './values.js';

/** Anthropic's limit on cache breakpoints per request. */
export const MAX_CACHE_BREAKPOINTS = 4;

/** True when any tool, system block or content block (nested tool results included) has `cache_control`. */
export function hasCacheControl(body: AnthropicMessagesRequest): boolean {
  if (body.tools?.some((tool) => tool.cache_control != null)) return true;
  if (Array.isArray(body.system) && body.system.some((block) => block.cache_control != null)) return true;
  for (const message of body.messages) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) {
      if (isRecord(block) && block.cache_control != null) return true;
      const inner = block.type === 'tool_result' ? (block as AnthropicToolResultBlock).content : undefined;
      if (Array.isArray(inner) && inner.some((nested) => isRecord(nested) && nested.cache_control != null)) return true;
    }
  }
  return false;
}

/** Blocks that may carry `cache_control` (thinking blocks may not). */
function isCacheable(block: AnthropicContentBlock): boolean {
  return block.type !== 'thinking' && block.type !== 'redacted_thinking';
}

/**
 * Adds up to four ephemeral breakpoints in place (the body must be the translator's own copy) and returns how
 * many were added. The caller checks `hasCacheControl` first: a client that placed its own breakpoints knows better.
 */
export function addCacheBreakpoints(body: AnthropicMessagesRequest): number {
  let used = 0;
  const marker = { type: 'ephemeral' as const };
  if (body.tools && body.tools.length > 0) {
    body.tools[body.tools.length - 1] = { ...body.tools[body.tools.length - 1]!, cache_control: marker };
    used++;
  }
  if (typeof body.system === 'string' && body.system.length > 0) {
    body.system = [{ type: 'text', text: body.system }];
  }
  if (Array.isArray(body.system) && body.system.length > 0) {
    body.system[body.system.length - 1] = { ...body.system[body.system.length - 1]!, cache_control: marker };
    used++;
  }
  for (let index = body.messages.length - 1; index >= 0 && used < MAX_CACHE_BREAKPOINTS; index--) {
    const message = body.messages[index]!;
    if (message.role !== 'user') continue;
    if (typeof message.content === 'string') {
      if (message.content.length === 0) continue;
      message.content = [{ type: 'text', text: message.content }];
    }
    const blocks = message.content;
    for (let blockIndex = blocks.length - 1; blockIndex >= 0; blockIndex--) {
      const block = blocks[blockIndex]!;
      if (!isCacheable(block)) continue;
      blocks[blockIndex] = { ...block, cache_control: marker } as AnthropicContentBlock;
      used++;
      break;
    }
  }
  return used;
}
