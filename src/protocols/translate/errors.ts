/**
 * Error mapping between the protocols. Anthropic's error types are the common vocabulary (`errorType` in the
 * stream `error` event); each protocol gets its own body shape, HTTP status and SSE error frame.
 *
 * | Anthropic type          | Anthropic status | OpenAI status | OpenAI type / code                        |
 * | ----------------------- | ---------------- | ------------- | ----------------------------------------- |
 * | invalid_request_error   | 400              | 400           | invalid_request_error / null              |
 * | authentication_error    | 401              | 401           | authentication_error / invalid_api_key    |
 * | permission_error        | 403              | 403           | permission_error / null                   |
 * | not_found_error         | 404              | 404           | invalid_request_error / not_found         |
 * | request_too_large       | 413              | 413           | invalid_request_error / request_too_large |
 * | rate_limit_error        | 429              | 429           | rate_limit_error / rate_limit_exceeded    |
 * | api_error               | 500              | 500           | server_error / null                       |
 * | timeout_error           | 504              | 504           | timeout / null                            |
 * | overloaded_error        | 529              | 503           | server_error / overloaded                 |
 *
 * 529 is Anthropic-specific; OpenAI clients get 503, which their SDKs retry like any 5xx. A `retry-after`
 * header is the caller's to copy: it means the same in both protocols.
 * @see https://docs.anthropic.com/en/api/errors
 * @see https://platform.openai.com/docs/guides/error-codes
 */
import type { AnthropicErrorBody } from '../anthropic/messages-types.js';
import type { OpenAIErrorBody } from '../openai/chat-types.js';
import { isRecord, parseJsonSafe } from './values.js';

/** A protocol-neutral upstream error. */
export interface CanonicalError {
  /** Anthropic error type name. */
  errorType: string;
  message: string;
  status: number;
}

/** A translated error response: the status and body to send to the client. */
export interface TranslatedError<Body> {
  status: number;
  body: Body;
}

const ANTHROPIC_STATUS: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const OPENAI_SHAPE: Readonly<Record<string, { type: string; code: string | null; status: number }>> = {
  invalid_request_error: { type: 'invalid_request_error', code: null, status: 400 },
  authentication_error: { type: 'authentication_error', code: 'invalid_api_key', status: 401 },
  billing_error: { type: 'insufficient_quota', code: 'insufficient_quota', status: 402 },
  permission_error: { type: 'permission_error', code: null, status: 403 },
  not_found_error: { type: 'invalid_request_error', code: 'not_found', status: 404 },
  request_too_large: { type: 'invalid_request_error', code: 'request_too_large', status: 413 },
  rate_limit_error: { type: 'rate_limit_error', code: 'rate_limit_exceeded', status: 429 },
  api_error: { type: 'server_error', code: null, status: 500 },
  timeout_error: { type: 'timeout', code: null, status: 504 },
  overloaded_error: { type: 'server_error', code: 'overloaded', status: 503 },
};

/** The Anthropic error type for an HTTP status. */
export function errorTypeForStatus(status: number): string {
  switch (status) {
    case 400:
    case 422:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 408:
    case 504:
      return 'timeout_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}

function bodyObject(body: unknown): Record<string, unknown> | undefined {
  const value = typeof body === 'string' ? parseJsonSafe(body) : body;
  return isRecord(value) ? value : undefined;
}

function fallbackMessage(body: unknown, status: number): string {
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 500);
  return `upstream returned HTTP ${status}`;
}

/** Reads an OpenAI-shaped (or unparseable) upstream error. `body` is the raw text or the parsed JSON. */
export function canonicalFromOpenAIError(status: number, body: unknown): CanonicalError {
  const object = bodyObject(body);
  const error = object && isRecord(object.error) ? object.error : object;
  const message = error && typeof error.message === 'string' ? error.message : fallbackMessage(body, status);
  let errorType = errorTypeForStatus(status);
  const code = error ? error.code : undefined;
  if (code === 'insufficient_quota' || (error && error.type === 'insufficient_quota')) errorType = 'billing_error';
  if (code === 'context_length_exceeded') errorType = 'invalid_request_error';
  return { errorType, message, status };
}

/** Reads an Anthropic-shaped (or unparseable) upstream error. */
export function canonicalFromAnthropicError(status: number, body: unknown): CanonicalError {
  const object = bodyObject(body);
  const error = object && isRecord(object.error) ? object.error : undefined;
  const message = error && typeof error.message === 'string' ? error.message : fallbackMessage(body, status);
  const errorType = error && typeof error.type === 'string' ? error.type : errorTypeForStatus(status);
  return { errorType, message, status };
}

/** Renders a canonical error as an Anthropic status + body. */
export function toAnthropicError(error: Pick<CanonicalError, 'errorType' | 'message'>): TranslatedError<AnthropicErrorBody> {
  const status = ANTHROPIC_STATUS[error.errorType] ?? 500;
  const errorType = ANTHROPIC_STATUS[error.errorType] === undefined ? 'api_error' : error.errorType;
  return { status, body: { type: 'error', error: { type: errorType, message: error.message } } };
}

/** Renders a canonical error as an OpenAI status + body. */
export function toOpenAIError(error: Pick<CanonicalError, 'errorType' | 'message'>): TranslatedError<OpenAIErrorBody> {
  const shape = OPENAI_SHAPE[error.errorType] ?? OPENAI_SHAPE.api_error!;
  return { status: shape.status, body: { error: { message: error.message, type: shape.type, code: shape.code, param: null } } };
}

/** An OpenAI upstream error response → what an Anthropic client should get. */
export function openaiErrorToAnthropic(status: number, body: unknown): TranslatedError<AnthropicErrorBody> {
  return toAnthropicError(canonicalFromOpenAIError(status, body));
}

/** An Anthropic upstream error response → what an OpenAI client should get. */
export function anthropicErrorToOpenai(status: number, body: unknown): TranslatedError<OpenAIErrorBody> {
  return toOpenAIError(canonicalFromAnthropicError(status, body));
}

/** The SSE frame Anthropic sends when a stream fails after it started (`event: error`). */
export function anthropicSseErrorFrame(error: Pick<CanonicalError, 'errorType' | 'message'>): string {
  return `event: error\ndata: ${JSON.stringify(toAnthropicError(error).body)}\n\n`;
}

/** The SSE frame OpenAI-compatible servers send when a stream fails after it started: a `data:` line with `error`. */
export function openaiSseErrorFrame(error: Pick<CanonicalError, 'errorType' | 'message'>): string {
  return `data: ${JSON.stringify(toOpenAIError(error).body)}\n\n`;
}
