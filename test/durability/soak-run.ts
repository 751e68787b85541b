/**
 * The soak: a real gateway (in this process) with two providers, `anthropic` and `openrouter`, both pointing at one
 * loopback mock that fails a fraction of upstream calls before the first token (500, 529, 429 with a short retry-after,
 * a hang before headers that the gateway's first-byte timeout ends, a connection dropped after the headers). Streaming
 * clients (OpenAI and Anthropic, alternately) run at a fixed concurrency; every one must succeed through fallback.
 * Memory, heap after GC and open sockets are sampled at the start, after warm-up, half-way and at the end.
 *
 * Used by `scripts/soak.ts` (10,000 requests) and `soak-small.test.ts` (1,000, for CI).
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { pino } from 'pino';
import { startGateway } from '../../src/main.js';
import { percentile } from '../../bench/measure.js';
import { startMockUpstream } from '../mock-upstream/index.js';
import { createRandomFaults, seededRandom, type RandomFaultKind } from '../mock-upstream/random-faults.js';
import { createClientPool, runBurst, succeeded, type ClientOutcome } from './load-client.js';

export interface SoakOptions {
  /** Requests in total (default 10,000). */
  requests?: number;
  /** Concurrent streaming clients (default 64). */
  concurrency?: number;
  /** Fraction of upstream calls that fail before the first token (default 0.2). */
  faultRate?: number;
  /** Seed of the fault draws (default 1), so a run can be replayed. */
  seed?: number;
  /** The gateway's first-byte timeout, which ends the hang-before-headers faults (default 250 ms). */
  firstByteTimeoutMs?: number;
  /**
   * The gateway's `fallback` section, written to a config file; `null` runs with the defaults (no file). Default
   * `SOAK_FALLBACK`: at a 20 % independent failure rate the defaults cannot promise zero client errors (see there).
   */
  fallback?: SoakFallback | null;
  /** Progress lines (default none). */
  log?: (line: string) => void;
}

/** The `fallback:` settings the soak gives the gateway. */
export interface SoakFallback {
  retries: number;
  failureThreshold: number;
  cooldownMs: number;
}

/**
 * Fallback settings under which 20 % random failures should never reach a client: 5 rounds over 2 providers is 10
 * attempts (0.2^10 ≈ 1e-7 of requests fail). The breaker threshold is raised to 50 because the default breaker counts
 * consecutive failures, and undici delivers header timeouts in batches (its fast timers tick every ~500 ms), so the hangs
 * of half a second all fail in one burst and open the circuit of a mostly healthy upstream (see
 * `breaker-batched-timeouts.test.ts`). With the defaults (2 retries, 5 consecutive failures, 30 s cooldown) a request
 * gets 6 attempts at best (0.2^6 ≈ 6e-5, about one failure in 10,000 by chance alone), and 3 while a circuit is open
 * (0.8 % fail): run `soak.js --gateway-defaults` to see it.
 */
export const SOAK_FALLBACK: SoakFallback = { retries: 4, failureThreshold: 50, cooldownMs: 30_000 };

/** One resource sample. */
export interface SoakSample {
  label: 'start' | 'warm' | 'middle' | 'end';
  requestsDone: number;
  rssMb: number;
  /** V8 heap used right after a full GC. */
  heapAfterGcMb: number;
  /** Memory of C++ objects bound to JS (Buffers included), after the GC. */
  externalMb: number;
  /** Every open file descriptor of the process. */
  fds: number;
  /** Of those, sockets (client, gateway and mock sides of every loopback connection, plus listeners). */
  sockets: number;
  /** Connections the gateway's server holds open. */
  gatewayConnections: number;
}

export interface SoakReport {
  /** The fallback settings the gateway ran with (null: its defaults). */
  fallback: SoakFallback | null;
  requests: number;
  concurrency: number;
  upstreamCalls: number;
  faultsInjected: number;
  faultsByKind: Record<RandomFaultKind, number>;
  clientErrors: number;
  /** Up to five failed outcomes, for the message, with the attempts the gateway stored for them. */
  errorExamples: Array<ClientOutcome & { storedAttempts: string }>;
  /** Circuit-breaker openings seen by polling every 50 ms, per candidate key, and the time spent open. */
  breakerOpenings: Record<string, { openings: number; openMs: number }>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** `x-automodel-attempts` → how many requests needed that many. */
  attemptsHistogram: Record<string, number>;
  samples: SoakSample[];
  durationSeconds: number;
  requestsPerSecond: number;
}

/** `gc()`: the global one under `--expose-gc`, else enabled at run time (V8 allows it before first use). */
function garbageCollector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function openDescriptors(): { fds: number; sockets: number } {
  let fds = 0;
  let sockets = 0;
  for (const entry of readdirSync('/proc/self/fd')) {
    fds += 1;
    try {
      if (readlinkSync(`/proc/self/fd/${entry}`).startsWith('socket:')) sockets += 1;
    } catch {
      // The descriptor closed between the listing and the read (readdir's own one does).
    }
  }
  return { fds, sockets };
}

/** Runs the soak and reports; throws only if the set-up fails (client errors are in the report). */
export async function runSoak(options: SoakOptions = {}): Promise<SoakReport> {
  const total = options.requests ?? 10_000;
  const concurrency = options.concurrency ?? 64;
  const log = options.log ?? (() => {});
  const gc = garbageCollector();
  const faults = createRandomFaults({ rate: options.faultRate ?? 0.2, random: seededRandom(options.seed ?? 1) });
  const mock = await startMockUpstream({ recordLimit: 0, scriptFor: () => faults.scriptFor() });
  const directory = mkdtempSync(join(tmpdir(), 'automodel-soak-'));
  const firstByteMs = options.firstByteTimeoutMs ?? 250;
  const fallback = options.fallback === undefined ? SOAK_FALLBACK : options.fallback;
  let configPath: string | undefined;
  if (fallback) {
    configPath = join(directory, 'automodel.yaml');
    writeFileSync(
      configPath,
      `fallback:\n  retries: ${fallback.retries}\n  breaker:\n    failureThreshold: ${fallback.failureThreshold}\n    cooldownMs: ${fallback.cooldownMs}\n`,
    );
  }
  const gateway = await startGateway({
    ...(configPath ? { configPath } : {}),
    host: '127.0.0.1',
    port: 0,
    cwd: directory,
    env: {
      AUTOMODEL_DB: join(directory, 'usage.db'),
      ANTHROPIC_API_KEY: 'sk-ant-soak-0123456789',
      ANTHROPIC_BASE_URL: mock.url,
      OPENROUTER_API_KEY: 'sk-or-soak-0123456789',
      OPENROUTER_BASE_URL: `${mock.url}/api/v1`,
    },
    logger: pino({ level: 'silent' }),
    timeouts: { connectMs: 2_000, firstByteMs, streamFirstByteMs: firstByteMs, idleMs: 5_000 },
  });
  const dispatcher = createClientPool(concurrency);
  const samples: SoakSample[] = [];
  const sample = async (label: SoakSample['label'], requestsDone: number): Promise<void> => {
    gc();
    const gatewayConnections = await new Promise<number>((resolve) => gateway.server.getConnections((_error, count) => resolve(count)));
    const memory = process.memoryUsage();
    samples.push({ label, requestsDone, rssMb: memory.rss / 1_048_576, heapAfterGcMb: memory.heapUsed / 1_048_576, externalMb: memory.external / 1_048_576, ...openDescriptors(), gatewayConnections });
    log(`soak: ${label} after ${requestsDone} requests: rss ${(memory.rss / 1_048_576).toFixed(1)} MB, heap ${(memory.heapUsed / 1_048_576).toFixed(1)} MB`);
  };

  const breakerOpenings: SoakReport['breakerOpenings'] = {};
  const wasOpen = new Map<string, number>();
  const breakerPoll = setInterval(() => {
    const now = Date.now();
    for (const health of gateway.breakers.snapshot(now)) {
      const entry = (breakerOpenings[health.key] ??= { openings: 0, openMs: 0 });
      const openSince = wasOpen.get(health.key);
      if (health.state !== 'closed' && openSince === undefined) {
        entry.openings += 1;
        wasOpen.set(health.key, now);
      } else if (health.state === 'closed' && openSince !== undefined) {
        entry.openMs += now - openSince;
        wasOpen.delete(health.key);
      }
    }
  }, 50);
  const started = performance.now();
  let report: SoakReport;
  try {
    await sample('start', 0);
    const warmAt = Math.max(1, Math.floor(total / 10));
    const middleAt = Math.floor(total / 2);
    let done = 0;
    const pendingSamples: Promise<void>[] = [];
    const outcomes = await runBurst({
      baseUrl: gateway.url,
      total,
      concurrency,
      kindOf: (index) => (index % 2 === 0 ? 'openai-sse' : 'anthropic-sse'),
      dispatcher,
      timeoutMs: 15_000,
      onOutcome: () => {
        done += 1;
        if (done === warmAt) pendingSamples.push(sample('warm', done));
        else if (done === middleAt) pendingSamples.push(sample('middle', done));
        if (done % Math.max(1, Math.floor(total / 10)) === 0) log(`soak: ${done}/${total}`);
      },
    });
    await Promise.all(pendingSamples);
    const durationSeconds = (performance.now() - started) / 1000;
    // Let the last responses' sockets settle into the idle pools before the final sample.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await sample('end', total);

    clearInterval(breakerPoll);
    for (const [key, since] of wasOpen) breakerOpenings[key]!.openMs += Date.now() - since;
    const failed = outcomes.filter((outcome) => !succeeded(outcome));
    await gateway.store.flush();
    const errorExamples: SoakReport['errorExamples'] = [];
    for (const outcome of failed.slice(0, 5)) {
      const stored = outcome.requestId ? await gateway.store.getRequest(outcome.requestId) : null;
      const storedAttempts = stored ? stored.attempts.map((attempt) => `${attempt.provider}:${attempt.failureClass ?? 'ok'}`).join(' → ') : 'not stored';
      errorExamples.push({ ...outcome, storedAttempts });
    }
    const latencies = outcomes.map((outcome) => outcome.latencyMs).sort((left, right) => left - right);
    const attemptsHistogram: Record<string, number> = {};
    for (const outcome of outcomes) {
      const key = outcome.attempts === null ? 'none' : String(outcome.attempts);
      attemptsHistogram[key] = (attemptsHistogram[key] ?? 0) + 1;
    }
    report = {
      fallback,
      requests: total,
      concurrency,
      upstreamCalls: faults.counts.calls,
      faultsInjected: faults.counts.injected,
      faultsByKind: { ...faults.counts.byKind },
      clientErrors: failed.length,
      errorExamples,
      breakerOpenings,
      p50Ms: percentile(latencies, 0.5),
      p99Ms: percentile(latencies, 0.99),
      maxMs: latencies.at(-1) ?? Number.NaN,
      attemptsHistogram,
      samples,
      durationSeconds,
      requestsPerSecond: total / durationSeconds,
    };
  } finally {
    clearInterval(breakerPoll);
    await dispatcher.close();
    await gateway.close();
    await mock.close();
    rmSync(directory, { recursive: true, force: true });
  }
  return report;
}

/** Heap growth from the warm sample to the end, MB (what a leak would show). */
export function heapGrowthMb(report: SoakReport): number {
  const warm = report.samples.find((sample) => sample.label === 'warm');
  const end = report.samples.find((sample) => sample.label === 'end');
  return warm && end ? end.heapAfterGcMb - warm.heapAfterGcMb : Number.NaN;
}

/** The report as markdown tables. */
export function renderSoakReport(report: SoakReport): string {
  const faults = Object.entries(report.faultsByKind).map(([kind, count]) => `${kind} ${count}`).join(', ');
  const attempts = Object.entries(report.attemptsHistogram)
    .sort(([left], [right]) => left.localeCompare(right))
    .map(([attemptCount, count]) => `${attemptCount}: ${count}`)
    .join(', ');
  const breakers = Object.entries(report.breakerOpenings)
    .filter(([, entry]) => entry.openings > 0)
    .map(([key, entry]) => `${key} ${entry.openings}× (${(entry.openMs / 1000).toFixed(1)} s)`)
    .join(', ');
  const lines = [
    '| figure | value |',
    '|---|--:|',
    `| gateway fallback settings | ${report.fallback ? `retries ${report.fallback.retries}, breaker ${report.fallback.failureThreshold} consecutive failures / ${report.fallback.cooldownMs / 1000} s` : 'defaults (retries 2, breaker 5 consecutive failures / 30 s)'} |`,
    `| requests (streaming, c${report.concurrency}) | ${report.requests} |`,
    `| upstream calls | ${report.upstreamCalls} |`,
    `| failures injected | ${report.faultsInjected} (${((100 * report.faultsInjected) / Math.max(1, report.upstreamCalls)).toFixed(1)} %): ${faults} |`,
    `| client errors | ${report.clientErrors} |`,
    `| latency p50 / p99 / max (whole stream) | ${report.p50Ms.toFixed(1)} / ${report.p99Ms.toFixed(1)} / ${report.maxMs.toFixed(1)} ms |`,
    `| attempts per request | ${attempts} |`,
    `| circuit openings (time open) | ${breakers || 'none'} |`,
    `| duration | ${report.durationSeconds.toFixed(1)} s (${report.requestsPerSecond.toFixed(0)} req/s) |`,
    `| heap growth warm → end (after GC) | ${heapGrowthMb(report).toFixed(2)} MB |`,
    '',
    '| sample | requests done | RSS MB | heap after GC MB | external MB | open fds | sockets | gateway connections |',
    '|---|--:|--:|--:|--:|--:|--:|--:|',
    ...report.samples.map(
      (sample) =>
        `| ${sample.label} | ${sample.requestsDone} | ${sample.rssMb.toFixed(1)} | ${sample.heapAfterGcMb.toFixed(1)} | ${sample.externalMb.toFixed(1)} | ${sample.fds} | ${sample.sockets} | ${sample.gatewayConnections} |`,
    ),
  ];
  return lines.join('\n');
}
