import type { ProviderConfig } from '../config/compiled.js';

/** What an upstream call needs besides its body. Built per attempt; holds the key, so it is never logged. */
export interface UpstreamTarget {
  url: string;
  headers: Record<string, string>;
}

/** @see https://docs.anthropic.com/en/api/versioning */
export const ANTHROPIC_VERSION = '2023-06-01';

/**
 * Builds the URL and headers of a call to `provider`. `clientHeaders` are the few client headers worth forwarding
 * (Anthropic's `anthropic-beta` and `anthropic-version` when the client speaks Anthropic too).
 */
export function buildUpstreamTarget(
  provider: ProviderConfig,
  options: { stream: boolean; clientHeaders?: Record<string, string>; path?: string },
): UpstreamTarget {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: options.stream ? 'text/event-stream' : 'application/json',
    ...provider.headers,
  };
  if (provider.type === 'anthropic') {
    if (provider.apiKey) headers['x-api-key'] = provider.apiKey;
    headers['anthropic-version'] = options.clientHeaders?.['anthropic-version'] ?? ANTHROPIC_VERSION;
    const beta = options.clientHeaders?.['anthropic-beta'];
    if (beta) headers['anthropic-beta'] = beta;
    return { url: `${provider.baseUrl}${options.path ?? '/messages'}`, headers };
  }
  if (provider.apiKey) headers.authorization = `Bearer ${provider.apiKey}`;
  return { url: `${provider.baseUrl}${options.path ?? '/chat/completions'}`, headers };
}
