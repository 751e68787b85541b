/**
 * Failure classes, decided once, here. The attempt loop acts only on the class: retry, fall back, or answer.
 */
export type FailureClass =
  | 'rate-limit'
  | 'overloaded'
  | 'server'
  | 'timeout'
  | 'network'
  | 'auth'
  | 'client'
  | 'aborted'
  | 'invalid-response';

/**
 * Whether the next candidate may be tried. A client error never is (another model would refuse it alike); an upstream
 * that refuses the gateway's own key ('auth') is: the fault is that provider's configuration, not the request.
 */
export function canFallBack(failureClass: FailureClass): boolean {
  return failureClass !== 'client' && failureClass !== 'aborted';
}

/** Whether trying the same candidate again later may help (a refused key will be refused again). */
export function isRetryable(failureClass: FailureClass): boolean {
  return canFallBack(failureClass) && failureClass !== 'auth';
}

/** Classifies an HTTP status the upstream answered with. */
export function classifyStatus(status: number): FailureClass {
  if (status === 429) return 'rate-limit';
  if (status === 401 || status === 403) return 'auth';
  if (status === 529) return 'overloaded';
  if (status === 408 || status === 409) return 'server';
  if (status >= 500) return 'server';
  return 'client';
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const NETWORK_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Classifies a thrown transport error by its stable code (undici's `UND_ERR_*`, or the system error code, possibly on
 * `cause`). Unknown errors count as network failures: they happened on the way to the upstream.
 */
export function classifyError(error: unknown): FailureClass {
  const code = errorCode(error) ?? errorCode((error as { cause?: unknown } | null)?.cause);
  const name = (error as { name?: unknown } | null)?.name;
  if (code === 'UND_ERR_ABORTED' || name === 'AbortError') return 'aborted';
  if (code && TIMEOUT_CODES.has(code)) return 'timeout';
  if (code && NETWORK_CODES.has(code)) return 'network';
  return 'network';
}

function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}
