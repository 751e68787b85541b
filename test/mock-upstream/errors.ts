/**
 * Provider-shaped error bodies and rate-limit headers.
 * @see Anthropic "Errors": `{"type":"error","error":{"type","message"},"request_id"}`, types per status, 529 overloaded.
 * @see OpenAI API errors: `{"error":{"message","type","param","code"}}`, `x-ratelimit-*` headers on responses.
 * @see OpenRouter "Errors": `{"error":{"code":<status>,"message","metadata"?}}`; mid-stream errors arrive as a data event.
 */
import type { MockFlavour, ResolvedScript } from './types.js';

/** Anthropic error `type` for each documented status; other 4xx are `invalid_request_error`, other 5xx `api_error`. */
export const ANTHROPIC_ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

/** OpenAI error `type` and `code` for common statuses. */
export const OPENAI_ERRORS: Readonly<Record<number, { type: string; code: string | null }>> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'unsupported_country_region_territory' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
  500: { type: 'server_error', code: null },
  503: { type: 'server_error', code: null },
};

/** Default human message per status (the mock's own wording). */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Mock upstream: the request is invalid.',
  401: 'Mock upstream: the API key is missing or invalid.',
  403: 'Mock upstream: the key may not use this resource.',
  404: 'Mock upstream: the model was not found.',
  408: 'Mock upstream: the request timed out.',
  413: 'Mock upstream: the request is too large.',
  429: 'Mock upstream: rate limit reached, retry later.',
  500: 'Mock upstream: internal error.',
  502: 'Mock upstream: the model is down.',
  503: 'Mock upstream: no provider is available.',
  529: 'Overloaded',
};

function defaultMessage(status: number): string {
  return DEFAULT_MESSAGES[status] ?? `Mock upstream: error status ${status}.`;
}

function anthropicErrorType(status: number): string {
  return ANTHROPIC_ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

function openaiError(status: number): { type: string; code: string | null } {
  return OPENAI_ERRORS[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
}

/** The parts of an error the body builders need. */
export interface ErrorSpec {
  status: number;
  type?: string | undefined;
  message?: string | undefined;
}

/** The provider's error object for a non-streaming response body. */
export function errorBody(flavour: MockFlavour, spec: ErrorSpec, requestId: string): unknown {
  const message = spec.message ?? defaultMessage(spec.status);
  if (flavour === 'anthropic') {
    return {
      type: 'error',
      error: { type: spec.type ?? anthropicErrorType(spec.status), message },
      request_id: requestId,
    };
  }
  if (flavour === 'openrouter') {
    return { error: { code: spec.status, message, metadata: { provider_name: 'Mock' } } };
  }
  const known = openaiError(spec.status);
  return { error: { message, type: spec.type ?? known.type, param: null, code: known.code } };
}

/**
 * Headers a real provider adds to an error status: `retry-after` (and `retry-after-ms`, which the OpenAI and Anthropic SDKs
 * read first) plus the provider's rate-limit family on 429.
 */
export function errorHeaders(flavour: MockFlavour, script: ResolvedScript): Record<string, string> {
  const headers: Record<string, string> = {};
  const retryAfterSeconds = script.retryAfterSeconds ?? (script.status === 429 ? 1 : undefined);
  if (retryAfterSeconds !== undefined) headers['retry-after'] = String(retryAfterSeconds);
  if (script.retryAfterMs !== undefined) headers['retry-after-ms'] = String(script.retryAfterMs);
  if (script.status !== 429) return headers;
  if (flavour === 'anthropic') {
    const reset = new Date(Date.now() + (retryAfterSeconds ?? 1) * 1000).toISOString();
    for (const family of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
      headers[`anthropic-ratelimit-${family}-limit`] = family === 'requests' ? '50' : '40000';
      headers[`anthropic-ratelimit-${family}-remaining`] = '0';
      headers[`anthropic-ratelimit-${family}-reset`] = reset;
    }
  } else {
    headers['x-ratelimit-limit-requests'] = '500';
    headers['x-ratelimit-remaining-requests'] = '0';
    headers['x-ratelimit-reset-requests'] = `${retryAfterSeconds ?? 1}s`;
    headers['x-ratelimit-limit-tokens'] = '30000';
    headers['x-ratelimit-remaining-tokens'] = '0';
    headers['x-ratelimit-reset-tokens'] = `${retryAfterSeconds ?? 1}s`;
  }
  return headers;
}

/**
 * The SSE frame a provider sends when a stream fails after it started.
 * Anthropic: `event: error` with the error object (`overloaded_error` unless the script names another type).
 * OpenAI: a data line holding an `error` object (the official SDK throws `APIError` on it). OpenRouter: a chunk with an
 * `error` field and `finish_reason: "error"`.
 */
export function streamErrorFrame(flavour: MockFlavour, script: ResolvedScript, model: string, requestId: string): string {
  if (flavour === 'anthropic') {
    const body = {
      type: 'error',
      error: { type: script.errorType ?? 'overloaded_error', message: script.errorMessage ?? 'Overloaded' },
      request_id: requestId,
    };
    return `event: error\ndata: ${JSON.stringify(body)}\n\n`;
  }
  const message = script.errorMessage ?? 'Mock upstream: the model failed mid-stream.';
  if (flavour === 'openrouter') {
    const chunk = {
      id: `gen-${requestId}`,
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model,
      provider: 'Mock',
      error: { code: script.errorType ?? 'server_error', message },
      choices: [{ index: 0, delta: { content: '' }, finish_reason: 'error' }],
    };
    return `data: ${JSON.stringify(chunk)}\n\n`;
  }
  const body = { error: { message, type: script.errorType ?? 'server_error', param: null, code: null } };
  return `data: ${JSON.stringify(body)}\n\n`;
}
