/** Small runtime guards for lenient parsing of untrusted JSON. */

/** True for a plain JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A finite number or null. */
export function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A string, or undefined for anything else. */
export function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/** Parses JSON text, returning undefined instead of throwing. */
export function parseJsonSafe(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * `format` tag on OpenRouter-style `reasoning_details` entries that carry Anthropic thinking. Entries with this
 * tag (and a signature) can be turned back into Anthropic `thinking` blocks on the next turn.
 */
export const ANTHROPIC_REASONING_FORMAT = 'anthropic-claude-v1';

/** Like isRecord but without narrowing, for values already typed as a union of object shapes. */
export function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
