/**
 * Hot reload under load: 32 clients stream continuously through a real gateway (the mock drips 20 chunks, a few ms
 * apart) while the config file is rewritten and reloaded 100 times between two valid mappings. Every request must
 * succeed, every stream must arrive whole, and every response must name a (tier, model) pair that one of the two
 * configs produces: a torn or half-applied config would show up as a mixed pair.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { pino } from 'pino';
import { startGateway, type RunningGateway } from '../../src/main.js';
import type { UsageRecord } from '../../src/usage/types.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';

const CONCURRENCY = 32;
const RELOADS = 100;
/** Every this many reloads, the change is left to the file watcher instead of `reload()`. */
const WATCHER_EVERY = 20;
const CHUNKS = 20;
const PAUSE_BETWEEN_RELOADS_MS = 25;
const TIME_LIMIT_MS = 60_000;

/**
 * Two valid mappings for mode `code`. A: implementation tier on Sonnet. B: reasoning tier, and the tiers name other
 * models (reasoning on Haiku, implementation on Opus), so any mix of the two configs gives a pair neither produces.
 */
const CONFIGS = {
  A: { tiers: { reasoning: 'claude-opus-4-5', implementation: 'claude-sonnet-4-5' }, code: 'implementation' },
  B: { tiers: { reasoning: 'claude-haiku-4-5', implementation: 'claude-opus-4-5' }, code: 'reasoning' },
} as const;
const EXPECTED_PAIRS = new Map([
  ['implementation anthropic/claude-sonnet-4.5', 'A'],
  ['reasoning anthropic/claude-haiku-4.5', 'B'],
]);

/** The same pairs as the usage records name them (catalog ids). */
const EXPECTED_RECORD_PAIRS = new Set(['implementation claude-sonnet-4-5', 'reasoning claude-haiku-4-5']);

function yaml(name: keyof typeof CONFIGS): string {
  const config = CONFIGS[name];
  return `# mapping ${name}
providers:
  openrouter:
    type: openrouter
    baseUrl: \${MOCK_URL}/api/v1
    apiKey: \${ROUTER_KEY}
virtualModels:
  kilo/auto:
    aliases: [auto]
    tiers:
      reasoning: [${config.tiers.reasoning}]
      implementation: [${config.tiers.implementation}]
    modes:
      code: ${config.code}
`;
}

interface Outcome {
  ok: boolean;
  problem?: string;
  pair: string;
  chunks: number;
  ms: number;
}

/** One streaming request, read to the end; OpenAI and Anthropic clients alternate by worker. */
async function streamOnce(url: string, protocol: 'openai' | 'anthropic'): Promise<Outcome> {
  const started = performance.now();
  const path = protocol === 'openai' ? '/v1/chat/completions' : '/v1/messages';
  const body = { model: 'kilo/auto', stream: true, max_tokens: 200, messages: [{ role: 'user', content: 'stream please' }] };
  try {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', 'x-kilocode-mode': 'code' },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    const pair = `${response.headers.get('x-automodel-tier')} ${response.headers.get('x-automodel-model')}`;
    const chunks = (text.match(protocol === 'openai' ? /"content":"mock ?"/g : /"text":"mock ?"/g) ?? []).length;
    const complete = protocol === 'openai' ? text.trimEnd().endsWith('data: [DONE]') : /event: message_stop\n/.test(text);
    const problem =
      response.status !== 200
        ? `status ${response.status}: ${text.slice(0, 200)}`
        : !EXPECTED_PAIRS.has(pair)
          ? `served on no known config: ${pair}`
          : chunks !== CHUNKS || !complete
            ? `incomplete stream: ${chunks} chunks, complete=${complete}`
            : /"error"/.test(text)
              ? `error in stream: ${text.slice(0, 200)}`
              : undefined;
    return { ok: problem === undefined, ...(problem ? { problem } : {}), pair, chunks, ms: performance.now() - started };
  } catch (error) {
    return { ok: false, problem: `request failed: ${(error as Error).message}`, pair: 'none', chunks: 0, ms: performance.now() - started };
  }
}

function percentile(sorted: number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0;
}

describe('hot reload under load', () => {
  const directory = mkdtempSync(join(tmpdir(), 'automodel-reload-load-'));
  let mock: MockUpstream | undefined;
  let gateway: RunningGateway | undefined;
  after(async () => {
    await gateway?.close();
    await mock?.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it(`${CONCURRENCY} streaming clients, ${RELOADS} reloads between two mappings: no failure, every stream whole, every answer from a real config`, { timeout: 120_000 }, async () => {
    const testStarted = performance.now();
    // recordLimit 0: the mock keeps no history, so memory stays flat however many requests run.
    mock = await startMockUpstream({ recordLimit: 0, defaults: { fault: 'slow-drip', delayMs: 7, chunks: CHUNKS } });
    const path = join(directory, 'automodel.yaml');
    writeFileSync(path, yaml('A'));
    const logLines: string[] = [];
    const records: UsageRecord[] = [];
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      configPath: path,
      cwd: directory,
      env: { AUTOMODEL_DB: ':memory:', MOCK_URL: mock.url, ROUTER_KEY: 'sk-or-load-0123' },
      logger: pino({ level: 'info' }, { write: (line: string) => void logLines.push(line) }),
      onRecord: (record) => void records.push(record),
      sleep: async () => {},
    });
    const url = gateway.url;

    let stop = false;
    const outcomes: Outcome[] = [];
    const workers = Array.from({ length: CONCURRENCY }, async (_, index) => {
      const protocol = index % 2 === 0 ? 'openai' : 'anthropic';
      while (!stop) outcomes.push(await streamOnce(url, protocol));
    });

    // Let the load build up before the first reload.
    await delay(200);
    const loadStarted = performance.now();
    let viaReload = 0;
    let viaWatcher = 0;
    const watcherWaits: number[] = [];
    for (let index = 1; index <= RELOADS; index++) {
      const name = index % 2 === 1 ? 'B' : 'A';
      const previous = gateway.config();
      writeFileSync(path, yaml(name));
      if (index % WATCHER_EVERY === 0) {
        // A real edit, picked up by the file watcher alone (bounded wait).
        const waitStarted = performance.now();
        while (gateway.config() === previous && performance.now() - waitStarted < 5000) await delay(10);
        assert.notEqual(gateway.config(), previous, `reload ${index}: the watcher did not apply the edit within 5 s`);
        watcherWaits.push(Math.round(performance.now() - waitStarted));
        viaWatcher++;
      } else {
        assert.equal(gateway.reload(`load test ${index}`), true, `reload ${index} refused`);
        viaReload++;
      }
      assert.equal(gateway.config().virtualModels.get('kilo/auto')!.modes.code, CONFIGS[name].code);
      await delay(PAUSE_BETWEEN_RELOADS_MS);
    }
    const reloadMs = performance.now() - loadStarted;
    // Keep the load on a little after the last swap, then drain.
    await delay(200);
    stop = true;
    await Promise.all(workers);
    const totalMs = performance.now() - testStarted;

    const failures = outcomes.filter((outcome) => !outcome.ok);
    const byConfig = { A: 0, B: 0 };
    for (const outcome of outcomes) {
      const name = EXPECTED_PAIRS.get(outcome.pair) as 'A' | 'B' | undefined;
      if (name) byConfig[name]++;
    }
    const latencies = outcomes.map((outcome) => outcome.ms).sort((left, right) => left - right);
    const chunkTotal = outcomes.reduce((sum, outcome) => sum + outcome.chunks, 0);
    const refusedReloads = logLines.filter((line) => line.includes('keeping the previous config')).length;
    console.log(
      [
        `# reload under load: ${outcomes.length} streaming requests (${CONCURRENCY} concurrent, ${CHUNKS} chunks each, OpenAI + Anthropic clients)`,
        `#   ${RELOADS} reloads in ${Math.round(reloadMs)} ms (${viaReload} via reload(), ${viaWatcher} via the file watcher, waits ${watcherWaits.join('/')} ms)`,
        `#   failures ${failures.length}; chunks received ${chunkTotal} of ${outcomes.length * CHUNKS}; served on A ${byConfig.A}, on B ${byConfig.B}`,
        `#   latency p50 ${percentile(latencies, 0.5).toFixed(0)} ms, p99 ${percentile(latencies, 0.99).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms; ` +
          `${(outcomes.length / (totalMs / 1000)).toFixed(0)} req/s; total ${(totalMs / 1000).toFixed(1)} s`,
      ].join('\n'),
    );

    assert.deepEqual(failures.slice(0, 5).map((failure) => failure.problem), []);
    assert.ok(outcomes.length >= CONCURRENCY * 5, `too few requests ran: ${outcomes.length}`);
    assert.equal(chunkTotal, outcomes.length * CHUNKS);
    assert.ok(byConfig.A > 0 && byConfig.B > 0, 'both mappings served requests');
    assert.equal(refusedReloads, 0, 'no reload saw a half-written file');
    assert.ok(totalMs < TIME_LIMIT_MS, `took ${Math.round(totalMs)} ms`);
    // Every request was recorded with status 200, on the pair its response headers named.
    const deadline = Date.now() + 5000;
    while (records.length < outcomes.length && Date.now() < deadline) await delay(10);
    assert.equal(records.length, outcomes.length);
    assert.deepEqual(records.filter((record) => record.status !== 200).map((record) => `${record.status} ${record.errorCode}`), []);
    const recordedPairs = new Set(records.map((record) => `${record.tier} ${record.servedModel}`));
    assert.deepEqual([...recordedPairs].filter((pair) => !EXPECTED_RECORD_PAIRS.has(pair)), []);
  });
});
