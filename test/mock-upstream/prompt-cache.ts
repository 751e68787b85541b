/**
 * Anthropic's prompt caching, simulated: the mock remembers the prefixes that requests marked with `cache_control`, and
 * reports cache writes and reads as the API does. The prefix of a breakpoint is everything before it in the API's order
 * (tools, then system, then messages) up to and including the marked block; a request reads the longest prefix written
 * before and writes the rest up to its last breakpoint. Tokens are estimated as characters / 4.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/prompt-caching
 */
import { createHash } from 'node:crypto';
import type { MockUsage } from './types.js';

function blocksOf(body: Record<string, unknown>): unknown[] {
  const blocks: unknown[] = [];
  if (Array.isArray(body.tools)) blocks.push(...body.tools);
  if (typeof body.system === 'string') blocks.push({ type: 'text', text: body.system });
  else if (Array.isArray(body.system)) blocks.push(...body.system);
  for (const message of Array.isArray(body.messages) ? body.messages : []) {
    const content = (message as { content?: unknown }).content;
    if (typeof content === 'string') blocks.push({ type: 'text', text: content });
    else if (Array.isArray(content)) blocks.push(...content);
  }
  return blocks;
}

function hasBreakpoint(block: unknown): boolean {
  return typeof block === 'object' && block !== null && 'cache_control' in block;
}

/** Text a block contributes to the prefix (cache_control itself is not content). */
function contentOf(block: unknown): string {
  if (typeof block !== 'object' || block === null) return JSON.stringify(block);
  const { cache_control: _marker, ...rest } = block as Record<string, unknown>;
  return JSON.stringify(rest);
}

export function createPromptCache() {
  const written = new Set<string>();
  return {
    /** The input side of the usage for this request: uncached input, cache reads and cache writes. */
    usageFor(body: Record<string, unknown>): Pick<MockUsage, 'input' | 'cacheRead' | 'cacheWrite'> {
      const blocks = blocksOf(body);
      const hash = createHash('sha256');
      let characters = 0;
      const breakpoints: Array<{ key: string; tokens: number }> = [];
      for (const block of blocks) {
        const text = contentOf(block);
        hash.update(text);
        characters += text.length;
        if (hasBreakpoint(block)) breakpoints.push({ key: hash.copy().digest('hex'), tokens: Math.ceil(characters / 4) });
      }
      const total = Math.ceil(characters / 4);
      let cacheRead = 0;
      for (const breakpoint of breakpoints) if (written.has(breakpoint.key)) cacheRead = breakpoint.tokens;
      const last = breakpoints.at(-1);
      const cacheWrite = last && !written.has(last.key) ? last.tokens - cacheRead : 0;
      for (const breakpoint of breakpoints) written.add(breakpoint.key);
      return { input: total - cacheRead - cacheWrite, cacheRead, cacheWrite };
    },
  };
}
