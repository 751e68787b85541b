/**
 * The client side of the durability and soak runs: sends one model request to the gateway (OpenAI Chat Completions or
 * Anthropic Messages, JSON or SSE), reads the answer to the end, and reports what the client saw: the request id,
 * status, attempts, whether the stream's terminal event arrived and whether the body ended cleanly.
 */
import { Agent, request } from 'undici';

/** The four request shapes the runs mix. */
export type RequestKind = 'openai-json' | 'openai-sse' | 'anthropic-json' | 'anthropic-sse';

export const REQUEST_KINDS: readonly RequestKind[] = ['openai-json', 'openai-sse', 'anthropic-json', 'anthropic-sse'];

/** What one request came to, from the client's side. */
export interface ClientOutcome {
  kind: RequestKind;
  /** `x-automodel-request-id`, or null when no headers arrived. */
  requestId: string | null;
  status: number | null;
  /** `x-automodel-attempts`. */
  attempts: number | null;
  /** The SSE terminal event arrived (`data: [DONE]` / `event: message_stop`); for JSON, the body parsed. */
  sawTerminal: boolean;
  /** The body was read to its end with no error: the response completed. */
  completed: boolean;
  /** An error event inside a 200 stream, or a JSON error body. */
  errorInBody: boolean;
  latencyMs: number;
  /** A transport error (socket closed, timeout), as a message. */
  transportError: string | null;
}

const OPENAI_PATH = '/v1/chat/completions';
const ANTHROPIC_PATH = '/v1/messages';

function bodyFor(kind: RequestKind): string {
  const stream = kind.endsWith('-sse');
  const messages = [{ role: 'user', content: 'Rename the helper and update its callers.' }];
  if (kind.startsWith('openai')) {
    return JSON.stringify({ model: 'kilo/auto', messages, ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}) });
  }
  return JSON.stringify({ model: 'kilo/auto', max_tokens: 256, messages, ...(stream ? { stream: true } : {}) });
}

interface PreparedCall {
  path: string;
  body: string;
  headers: Record<string, string>;
}

function prepare(kind: RequestKind): PreparedCall {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-kilocode-mode': 'code' };
  if (kind.startsWith('anthropic')) headers['anthropic-version'] = '2023-06-01';
  return { path: kind.startsWith('openai') ? OPENAI_PATH : ANTHROPIC_PATH, body: bodyFor(kind), headers };
}

/** Pre-rendered calls, so the load loop only sends bytes. */
const CALLS: Record<RequestKind, PreparedCall> = {
  'openai-json': prepare('openai-json'),
  'openai-sse': prepare('openai-sse'),
  'anthropic-json': prepare('anthropic-json'),
  'anthropic-sse': prepare('anthropic-sse'),
};

const OPENAI_DONE = 'data: [DONE]';
const ANTHROPIC_STOP = 'event: message_stop';

function header(headers: Record<string, string | string[] | undefined>, name: string): string | null {
  const value = headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

/** A keep-alive pool sized for `connections` concurrent requests. */
export function createClientPool(connections: number): Agent {
  return new Agent({ connections, keepAliveTimeout: 30_000, pipelining: 1 });
}

/**
 * Sends one request of `kind` and reads the answer whole. Never throws: a broken connection is an outcome.
 * `timeoutMs` bounds headers and the gap between body chunks.
 */
export async function sendOne(baseUrl: string, kind: RequestKind, dispatcher: Agent, timeoutMs = 30_000): Promise<ClientOutcome> {
  const call = CALLS[kind];
  const stream = kind.endsWith('-sse');
  const started = performance.now();
  const outcome: ClientOutcome = {
    kind,
    requestId: null,
    status: null,
    attempts: null,
    sawTerminal: false,
    completed: false,
    errorInBody: false,
    latencyMs: 0,
    transportError: null,
  };
  try {
    const response = await request(`${baseUrl}${call.path}`, {
      method: 'POST',
      headers: call.headers,
      body: call.body,
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    });
    outcome.status = response.statusCode;
    outcome.requestId = header(response.headers, 'x-automodel-request-id');
    const attempts = header(response.headers, 'x-automodel-attempts');
    outcome.attempts = attempts === null ? null : Number(attempts);
    const marker = kind.startsWith('openai') ? OPENAI_DONE : ANTHROPIC_STOP;
    let text = '';
    // Keep only a tail window for streams: enough to find a marker split across chunks without holding the whole body.
    for await (const chunk of response.body) {
      text += (chunk as Buffer).toString('utf8');
      if (stream) {
        if (!outcome.sawTerminal && text.includes(marker)) outcome.sawTerminal = true;
        if (!outcome.errorInBody && /"error"/.test(text) && /"type":"error"|data: \{"error"/.test(text)) outcome.errorInBody = true;
        if (text.length > 4096) text = text.slice(-256);
      }
    }
    if (!stream) {
      try {
        const parsed = JSON.parse(text) as Record<string, unknown>;
        outcome.sawTerminal = true;
        outcome.errorInBody = 'error' in parsed;
      } catch {
        outcome.errorInBody = true;
      }
    }
    outcome.completed = true;
  } catch (error) {
    outcome.transportError = error instanceof Error ? `${(error as { code?: string }).code ?? error.name}: ${error.message}` : String(error);
  }
  outcome.latencyMs = performance.now() - started;
  return outcome;
}

/** A request that succeeded end to end: 200, terminal event seen, body ended, no error inside. */
export function succeeded(outcome: ClientOutcome): boolean {
  return outcome.status === 200 && outcome.completed && outcome.sawTerminal && !outcome.errorInBody;
}

/**
 * Runs `total` requests with `concurrency` workers, each taking the next index; `kindOf(index)` picks the shape.
 * `onOutcome` sees every outcome as it lands (the kill test uses it to pull the trigger).
 */
export async function runBurst(options: {
  baseUrl: string;
  total: number;
  concurrency: number;
  kindOf: (index: number) => RequestKind;
  dispatcher: Agent;
  timeoutMs?: number;
  onOutcome?: (outcome: ClientOutcome, index: number) => void;
}): Promise<ClientOutcome[]> {
  const outcomes: ClientOutcome[] = new Array(options.total);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < options.total) {
      const index = next++;
      const outcome = await sendOne(options.baseUrl, options.kindOf(index), options.dispatcher, options.timeoutMs);
      outcomes[index] = outcome;
      options.onOutcome?.(outcome, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.total) }, () => worker()));
  return outcomes;
}
