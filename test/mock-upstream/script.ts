/**
 * Turns `x-mock-*` request headers, an enqueued script and server defaults into one resolved behaviour.
 * Precedence: enqueued script > request headers > server defaults > scenario table > built-in defaults.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  DEFAULT_AFTER_FRAMES,
  DEFAULT_CHUNKS,
  DEFAULT_SLOW_DRIP_MS,
  DEFAULT_USAGE,
  SCENARIOS,
} from './scenarios.js';
import { MOCK_FAULTS, MOCK_SCENARIOS } from './types.js';
import type { MockFault, MockScenario, MockScript, MockUsage, ResolvedScript } from './types.js';

/** A header value that could not be understood; the mock answers 400 with this message. */
export class MockHeaderError extends Error {}

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseCount(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new MockHeaderError(`${name} must be a non-negative number, got ${value}`);
  return number;
}

function parseJsonObject(name: string, value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new MockHeaderError(`${name} must be a JSON object`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new MockHeaderError(`${name} must be a JSON object`);
  }
  return parsed as Record<string, unknown>;
}

function parseUsage(value: string | undefined): Partial<MockUsage> | undefined {
  const object = parseJsonObject('x-mock-usage', value);
  if (!object) return undefined;
  const usage: Partial<MockUsage> = {};
  for (const key of ['input', 'output', 'cacheRead', 'cacheWrite', 'reasoning', 'cost'] as const) {
    const field = object[key];
    if (field === undefined) continue;
    if (typeof field !== 'number') throw new MockHeaderError(`x-mock-usage.${key} must be a number`);
    usage[key] = field;
  }
  return usage;
}

/** Reads the `x-mock-*` headers of a request (absent headers leave fields undefined). */
export function scriptFromHeaders(headers: IncomingHttpHeaders): MockScript {
  const script: MockScript = {};
  const scenario = headerValue(headers, 'x-mock-scenario');
  if (scenario !== undefined) {
    if (!MOCK_SCENARIOS.includes(scenario as MockScenario)) throw new MockHeaderError(`unknown x-mock-scenario ${scenario}`);
    script.scenario = scenario as MockScenario;
  }
  const fault = headerValue(headers, 'x-mock-fault');
  if (fault !== undefined) {
    if (!MOCK_FAULTS.includes(fault as MockFault)) throw new MockHeaderError(`unknown x-mock-fault ${fault}`);
    script.fault = fault as MockFault;
  }
  const status = parseCount('x-mock-status', headerValue(headers, 'x-mock-status'));
  if (status !== undefined) script.status = status;
  const errorType = headerValue(headers, 'x-mock-error-type');
  if (errorType !== undefined) script.errorType = errorType;
  const errorMessage = headerValue(headers, 'x-mock-error-message');
  if (errorMessage !== undefined) script.errorMessage = errorMessage;
  const chunks = parseCount('x-mock-chunks', headerValue(headers, 'x-mock-chunks'));
  if (chunks !== undefined) script.chunks = chunks;
  const after = parseCount('x-mock-after', headerValue(headers, 'x-mock-after'));
  if (after !== undefined) script.afterFrames = after;
  const delay = parseCount('x-mock-delay-ms', headerValue(headers, 'x-mock-delay-ms'));
  if (delay !== undefined) script.delayMs = delay;
  const usage = parseUsage(headerValue(headers, 'x-mock-usage'));
  if (usage !== undefined) script.usage = usage;
  const retryAfter = parseCount('x-mock-retry-after', headerValue(headers, 'x-mock-retry-after'));
  if (retryAfter !== undefined) script.retryAfterSeconds = retryAfter;
  const retryAfterMs = parseCount('x-mock-retry-after-ms', headerValue(headers, 'x-mock-retry-after-ms'));
  if (retryAfterMs !== undefined) script.retryAfterMs = retryAfterMs;
  const extraHeaders = parseJsonObject('x-mock-headers', headerValue(headers, 'x-mock-headers'));
  if (extraHeaders !== undefined) {
    script.headers = Object.fromEntries(Object.entries(extraHeaders).map(([name, value]) => [name, String(value)]));
  }
  return script;
}

/** Later layers win field by field; `usage` and `headers` merge key by key. */
export function resolveScript(...layers: (MockScript | undefined)[]): ResolvedScript {
  const merged: MockScript = {};
  let usage: Partial<MockUsage> = {};
  let headers: Record<string, string> = {};
  for (const layer of layers) {
    if (!layer) continue;
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
    }
    if (layer.usage) usage = { ...usage, ...layer.usage };
    if (layer.headers) headers = { ...headers, ...layer.headers };
  }
  const scenario = merged.scenario ?? 'text';
  const fault = merged.fault ?? 'none';
  return {
    scenario,
    fault,
    status: merged.status ?? 500,
    errorType: merged.errorType,
    errorMessage: merged.errorMessage,
    chunks: merged.chunks ?? DEFAULT_CHUNKS,
    afterFrames: merged.afterFrames ?? DEFAULT_AFTER_FRAMES,
    delayMs: merged.delayMs ?? (fault === 'slow-drip' ? DEFAULT_SLOW_DRIP_MS : 0),
    usage: { ...DEFAULT_USAGE, ...SCENARIOS[scenario].usage, ...usage },
    retryAfterSeconds: merged.retryAfterSeconds,
    retryAfterMs: merged.retryAfterMs,
    headers,
  };
}
