/**
 * One error type for everything the gateway answers with an error, and one registry of stable codes.
 * Each code has a status, an OpenAI error `type`, an Anthropic error `type` and a row in docs/errors.md
 * (a test keeps the registry and the doc in step). Messages are for clients: no stacks, no keys.
 */

export interface ErrorCodeSpec {
  status: number;
  openaiType: string;
  anthropicType: string;
  /** What the code means, as docs/errors.md says it. */
  description: string;
}

export const ERROR_CODES = {
  invalid_json: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error', description: 'The request body is not valid JSON.' },
  invalid_request: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error', description: 'The request is valid JSON but misses a required field or has one of the wrong type.' },
  invalid_query: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error', description: 'A query-string parameter of an admin route is malformed.' },
  context_length_exceeded: { status: 400, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error', description: 'No candidate model has a context window that holds the estimated input plus the requested output.' },
  unauthorized: { status: 401, openaiType: 'authentication_error', anthropicType: 'authentication_error', description: 'The gateway requires a key and the request carried none or a wrong one.' },
  model_not_found: { status: 404, openaiType: 'invalid_request_error', anthropicType: 'not_found_error', description: 'The requested model is neither a virtual model, nor in the catalog, nor servable by a configured provider.' },
  route_not_found: { status: 404, openaiType: 'invalid_request_error', anthropicType: 'not_found_error', description: 'No route at this method and path.' },
  method_not_allowed: { status: 405, openaiType: 'invalid_request_error', anthropicType: 'invalid_request_error', description: 'The route exists but not for this HTTP method.' },
  body_too_large: { status: 413, openaiType: 'invalid_request_error', anthropicType: 'request_too_large', description: 'The request body is larger than the configured limit (default 10 MiB).' },
  upstream_error: { status: 502, openaiType: 'api_error', anthropicType: 'api_error', description: 'The upstream answered with an error; the status and message are the upstream\'s own.' },
  upstream_rate_limited: { status: 429, openaiType: 'rate_limit_error', anthropicType: 'rate_limit_error', description: 'Every candidate upstream is rate limited; retry-after says when to try again.' },
  upstream_overloaded: { status: 529, openaiType: 'api_error', anthropicType: 'overloaded_error', description: 'The upstream is overloaded (Anthropic 529).' },
  upstream_unreachable: { status: 502, openaiType: 'api_error', anthropicType: 'api_error', description: 'The upstream could not be reached (connection refused or reset, DNS failure).' },
  upstream_timeout: { status: 504, openaiType: 'api_error', anthropicType: 'api_error', description: 'The upstream did not connect, answer or continue its stream in time.' },
  upstream_invalid_response: { status: 502, openaiType: 'api_error', anthropicType: 'api_error', description: 'The upstream answered with something that is not its documented wire format.' },
  no_provider: { status: 503, openaiType: 'api_error', anthropicType: 'api_error', description: 'No upstream provider is configured (set ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY), or none can serve the model.' },
  shutting_down: { status: 503, openaiType: 'api_error', anthropicType: 'api_error', description: 'The gateway is draining for shutdown and takes no new requests.' },
  internal_error: { status: 500, openaiType: 'api_error', anthropicType: 'api_error', description: 'A bug in the gateway. The request id in the response finds the log line.' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface UpstreamErrorDetail {
  status: number;
  /** The upstream's own error message, if it sent one we could read. */
  message?: string;
  /** The upstream's own error type (`overloaded_error`, `rate_limit_error`, …). */
  type?: string;
}

/** The gateway's one exception type. `status` defaults to the code's registry status. */
export class GatewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly upstream?: UpstreamErrorDetail;
  /** Extra response headers such as `retry-after`. */
  readonly headers?: Record<string, string>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { status?: number; upstream?: UpstreamErrorDetail; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GatewayError';
    this.code = code;
    this.status = options.status ?? ERROR_CODES[code].status;
    if (options.upstream) this.upstream = options.upstream;
    if (options.headers) this.headers = options.headers;
  }
}

/** Any thrown value as a GatewayError: unknown errors become `internal_error` with a generic message. */
export function toGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  return new GatewayError('internal_error', 'Internal gateway error.', { cause: error });
}

/** OpenAI's error body: `{"error":{"message","type","code","param"}}`. */
export function openaiErrorBody(error: GatewayError): { error: { message: string; type: string; code: string; param: null } } {
  return { error: { message: error.message, type: ERROR_CODES[error.code].openaiType, code: error.code, param: null } };
}

/** Anthropic's error body: `{"type":"error","error":{"type","message"}}`. Upstream Anthropic types are kept. */
export function anthropicErrorBody(error: GatewayError): { type: 'error'; error: { type: string; message: string } } {
  const type = error.upstream?.type && error.code === 'upstream_error' ? error.upstream.type : ERROR_CODES[error.code].anthropicType;
  return { type: 'error', error: { type, message: error.message } };
}
