/**
 * Load and latency measurement: autocannon (programmatic) for throughput and latency percentiles, and a sequential
 * undici loop for time to first byte.
 */
import { createRequire } from 'node:module';
import { Agent, request } from 'undici';

/** The part of autocannon's result this benchmark reads. */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  '2xx': number;
  requests: { total: number; average: number };
}

interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, statusCode: number, bytes: number, responseTimeMs: number) => void): void;
}

type Autocannon = (
  options: Record<string, unknown>,
  callback: (error: Error | null, result: AutocannonResult) => void,
) => AutocannonInstance;

// autocannon ships CommonJS without types; load it through require and type only what is used.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

/** One HTTP call, fully described. */
export interface HttpCall {
  url: string;
  method: 'POST' | 'GET';
  headers: Record<string, string>;
  body?: string;
}

/** What one load run measured. */
export interface LoadResult {
  /** Completed 2xx responses. */
  completed: number;
  /** Non-2xx responses plus connection errors and timeouts. */
  failures: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  durationSeconds: number;
}

/** Exact percentile (nearest rank) of a sorted array. */
export function percentile(sorted: readonly number[], fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

/** Median of unsorted values (the mean of the middle two for an even count); NaN for none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Drives `call` with `connections` concurrent keep-alive connections for `durationSeconds`.
 * Latencies come from autocannon's per-response timings (sub-millisecond floats) rather than its histogram, whose 1 ms
 * resolution would hide the differences measured here.
 */
export function runLoad(call: HttpCall, connections: number, durationSeconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const latencies: number[] = [];
    const instance = autocannon(
      {
        url: call.url,
        method: call.method,
        headers: call.headers,
        body: call.body,
        connections,
        pipelining: 1,
        duration: durationSeconds,
        timeout: 10,
      },
      (error, result) => {
        if (error) {
          reject(error);
          return;
        }
        latencies.sort((left, right) => left - right);
        resolve({
          completed: result['2xx'],
          failures: result.non2xx + result.errors + result.timeouts,
          requestsPerSecond: result['2xx'] / result.duration,
          p50Ms: percentile(latencies, 0.5),
          p99Ms: percentile(latencies, 0.99),
          durationSeconds: result.duration,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTimeMs) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTimeMs);
    });
  });
}

const ttfbDispatcher = new Agent({ connections: 1, keepAliveTimeout: 30_000 });

/** Sends `call` once and returns its status and whole body (used to check a target before measuring it). */
export async function probe(call: HttpCall): Promise<{ status: number; body: string }> {
  const response = await request(call.url, {
    method: call.method,
    headers: call.headers,
    body: call.body ?? null,
    dispatcher: ttfbDispatcher,
    headersTimeout: 10_000,
    bodyTimeout: 10_000,
  });
  return { status: response.statusCode, body: await response.body.text() };
}

/**
 * Median time from sending the request to the first byte of the response body, over `count` sequential requests on
 * one keep-alive connection (concurrency 1). Every body is read to the end so the connection is reused.
 */
export async function measureTtfb(call: HttpCall, count: number): Promise<number> {
  const samples: number[] = [];
  for (let index = 0; index < count; index++) {
    const started = performance.now();
    const response = await request(call.url, {
      method: call.method,
      headers: call.headers,
      body: call.body ?? null,
      dispatcher: ttfbDispatcher,
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    let firstByteAt: number | undefined;
    for await (const chunk of response.body) {
      if (firstByteAt === undefined && (chunk as Buffer).length > 0) firstByteAt = performance.now();
    }
    if (response.statusCode >= 300 || firstByteAt === undefined) {
      throw new Error(`TTFB probe got status ${response.statusCode}${firstByteAt === undefined ? ' and no body' : ''}`);
    }
    samples.push(firstByteAt - started);
  }
  samples.sort((left, right) => left - right);
  return percentile(samples, 0.5);
}

/** Closes the TTFB connection pool so the process can exit. */
export async function closeMeasurement(): Promise<void> {
  await ttfbDispatcher.close();
}
