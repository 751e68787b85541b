/**
 * Types shared by the loopback mock upstream: the per-request script (scenario + fault), the token usage it reports and
 * the record it keeps of every call.
 */
import type { IncomingHttpHeaders } from 'node:http';

/** Which content the mock generates. The content of each lives in `scenarios.ts`. */
export type MockScenario = 'text' | 'tool-calls' | 'thinking' | 'thinking-tool';

/**
 * How the mock misbehaves.
 * - `none`: a normal answer.
 * - `status`: an error status (`status`, default 500) with the provider's error body and headers (429 adds rate-limit headers).
 * - `hang-before-headers`: never answers; ends only when the client goes away or the mock closes.
 * - `hang-after-headers`: sends 200 headers (SSE or JSON) and then nothing.
 * - `slow-drip`: waits `delayMs` (default 50) before each frame.
 * - `drop-mid-stream`: writes `afterFrames` frames, then destroys the socket.
 * - `malformed-chunk`: inserts a frame of invalid JSON after `afterFrames` frames, then carries on.
 * - `error-event`: a 200 stream that sends the provider's error event after `afterFrames` frames, then ends.
 * - `empty-stream`: 200 headers, then the body ends with no bytes.
 * - `stall-mid-stream`: writes `afterFrames` frames, then nothing more (ends only when the client goes away).
 * - `no-terminal`: a stream without its last event (`data: [DONE]` / `message_stop`) that ends cleanly, as some
 *   OpenAI-compatible servers send it.
 * - `no-usage` (OpenAI formats): an answer with no usage at all, JSON or stream, `stream_options.include_usage` or not,
 *   as OpenAI-compatible servers that ignore it send (the gateway must estimate).
 */
export type MockFault =
  | 'none'
  | 'status'
  | 'hang-before-headers'
  | 'hang-after-headers'
  | 'slow-drip'
  | 'drop-mid-stream'
  | 'malformed-chunk'
  | 'error-event'
  | 'empty-stream'
  | 'stall-mid-stream'
  | 'no-terminal'
  | 'no-usage';

/** Every fault name, for validating header values. */
export const MOCK_FAULTS: readonly MockFault[] = [
  'none',
  'status',
  'hang-before-headers',
  'hang-after-headers',
  'slow-drip',
  'drop-mid-stream',
  'malformed-chunk',
  'error-event',
  'empty-stream',
  'stall-mid-stream',
  'no-terminal',
  'no-usage',
];

/** Every scenario name, for validating header values. */
export const MOCK_SCENARIOS: readonly MockScenario[] = ['text', 'tool-calls', 'thinking', 'thinking-tool'];

/**
 * Token counts the mock reports, in one neutral shape. Each provider format maps them as its API documents:
 * - OpenAI / OpenRouter: `prompt_tokens = input + cacheRead + cacheWrite` (cached tokens are part of the prompt),
 *   `prompt_tokens_details.cached_tokens = cacheRead`, `completion_tokens = output` (reasoning included),
 *   `completion_tokens_details.reasoning_tokens = reasoning`, `total_tokens = prompt + completion`.
 *   OpenRouter also sends `prompt_tokens_details.cache_write_tokens = cacheWrite` and `cost`.
 * - Anthropic: `input_tokens = input` (uncached only), `cache_read_input_tokens = cacheRead`,
 *   `cache_creation_input_tokens = cacheWrite`, `output_tokens = output`; reasoning has no separate field.
 */
export interface MockUsage {
  /** Uncached input tokens. */
  input: number;
  /** Output tokens, reasoning included. */
  output: number;
  /** Input tokens read from the prompt cache. */
  cacheRead: number;
  /** Input tokens written to the prompt cache. */
  cacheWrite: number;
  /** Of the output, tokens spent on reasoning. */
  reasoning: number;
  /** OpenRouter flavour only: the `usage.cost` in USD. Default: computed from Sonnet-like prices (see `openrouterCost`). */
  cost?: number;
}

/**
 * One request's behaviour. Set by `x-mock-*` request headers, or by `enqueue()` (consumed in order by the next POST
 * requests); enqueued fields win over header fields, which win over the server defaults.
 */
export interface MockScript {
  /** `x-mock-scenario`; default `text`. */
  scenario?: MockScenario;
  /** `x-mock-fault`; default `none`. */
  fault?: MockFault;
  /** `x-mock-status`: status for the `status` fault (default 500). */
  status?: number;
  /** `x-mock-error-type`: overrides the provider error type (Anthropic `type`, OpenAI `type`). */
  errorType?: string;
  /** `x-mock-error-message`: overrides the error message. */
  errorMessage?: string;
  /** `x-mock-chunks`: number of text chunks (default 20). */
  chunks?: number;
  /** `x-mock-after`: frames written before a mid-stream fault (default 5). */
  afterFrames?: number;
  /** `x-mock-delay-ms`: delay before each frame (default 0; 50 under `slow-drip`). */
  delayMs?: number;
  /** `x-mock-usage`: JSON object with any of the `MockUsage` fields. */
  usage?: Partial<MockUsage>;
  /** `x-mock-retry-after`: seconds for `retry-after` on error statuses (429 default 1). */
  retryAfterSeconds?: number;
  /** `x-mock-retry-after-ms`: value for `retry-after-ms`. */
  retryAfterMs?: number;
  /** `x-mock-headers`: JSON object of extra response headers. */
  headers?: Record<string, string>;
}

/** The script after defaults are applied. */
export interface ResolvedScript {
  scenario: MockScenario;
  fault: MockFault;
  status: number;
  errorType: string | undefined;
  errorMessage: string | undefined;
  chunks: number;
  afterFrames: number;
  delayMs: number;
  usage: MockUsage;
  retryAfterSeconds: number | undefined;
  retryAfterMs: number | undefined;
  headers: Record<string, string>;
}

/** Which wire format a request was answered in. */
export type MockFlavour = 'openai' | 'openrouter' | 'anthropic' | 'unknown';

/** How a call ended, from the mock's side. */
export type CallOutcome = 'finished' | 'client-closed' | 'server-destroyed';

/** What the mock saw of one request. */
export interface RecordedCall {
  /** Sequence number from 1, per server. */
  index: number;
  method: string;
  /** Path with query string, as received. */
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw request body. */
  rawBody: string;
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  body: unknown;
  flavour: MockFlavour;
  /** The behaviour applied (undefined for routes that take no script, e.g. GET models). */
  script: ResolvedScript | undefined;
  /** `Date.now()` when the request body had been read. */
  receivedAt: number;
  /** Resolves when the client's TCP socket has closed (by either side). */
  socketClosed: Promise<void>;
  /** True once the socket has closed. */
  readonly isSocketClosed: boolean;
  /** Resolves when the exchange is over: the response finished, or the connection went away first. */
  outcome: Promise<CallOutcome>;
  /** The settled outcome, or `undefined` while the exchange is in flight. */
  outcomeValue: CallOutcome | undefined;
}

/** Options of `startMockUpstream`. */
export interface MockUpstreamOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1; the mock never listens beyond loopback. */
  host?: string;
  /** When set, requests must carry exactly this key, else 401 (as an invalid key). */
  apiKey?: string;
  /** Behaviour for requests that set nothing. */
  defaults?: MockScript;
  /** Keep at most this many recent calls in `calls` (default 1000; 0 records nothing, for load tests). */
  recordLimit?: number;
  /**
   * Picks a script per POST request (e.g. a random fault for a soak test). Its layer sits above `defaults` and below
   * request headers and queued scripts.
   */
  scriptFor?: (request: { path: string; flavour: MockFlavour }) => MockScript | undefined;
  /** Simulate Anthropic prompt caching on `/messages`: usage reports cache writes and reads from `cache_control`. */
  promptCache?: boolean;
}

/** A running mock upstream. */
export interface MockUpstream {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Recorded calls, oldest first (see `recordLimit`). */
  calls: RecordedCall[];
  /** Destroys every open socket (hung ones included) and stops listening. */
  close(): Promise<void>;
  /** Forgets recorded calls and queued scripts, and restores the defaults given at start. */
  reset(): void;
  /**
   * Replaces the behaviour of every later request that no header or queued script overrides (e.g. "every attempt
   * answers 429", for a gateway that retries). `undefined` restores the defaults given at start.
   */
  setDefaults(script: MockScript | undefined): void;
  /** Queues scripts for the next POST requests, one per request, in order. */
  enqueue(...scripts: MockScript[]): void;
}
