/**
 * Checks of the benchmark's pure parts: fixtures are deterministic and the right size, scenarios expand as documented,
 * ratios to the bare proxy are computed per scenario.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AGENT_TURN_TARGET_BYTES, agentTurnBody, tinyBody } from './fixtures.js';
import { percentile } from './measure.js';
import { cpuRatio, ratiosToBare, renderProgress, renderStoreCost, renderStoreHotLoop, renderTable } from './report.js';
import type { BenchRow } from './report.js';
import { dumpTotal, renderInstructions } from './instructions.js';
import { buildScenarios } from './scenarios.js';
import { DEFAULT_WARMUP, isWarm, warmUntilSteady } from './warmup.js';
import { measureStoreCost, routedRecord } from './store-cost.js';
import { cliLaunch } from './processes.js';
import { openUsageStore } from '../src/usage/store.js';

test('agent turn is deterministic, about 40 KB, with 17 tools and tool-call history', () => {
  for (const protocol of ['openai', 'anthropic'] as const) {
    const body = agentTurnBody({ protocol, model: 'kilo/auto', stream: true });
    assert.equal(body, agentTurnBody({ protocol, model: 'kilo/auto', stream: true }));
    assert.ok(Math.abs(body.length - AGENT_TURN_TARGET_BYTES) < 2_000, `${protocol}: ${body.length} bytes`);
    const parsed = JSON.parse(body) as { tools: unknown[]; messages: unknown[]; stream: boolean };
    assert.equal(parsed.tools.length, 17);
    assert.equal(parsed.stream, true);
    assert.ok(parsed.messages.length >= 8);
  }
  const openai = JSON.parse(agentTurnBody({ protocol: 'openai', model: 'm', stream: true })) as { stream_options: unknown };
  assert.deepEqual(openai.stream_options, { include_usage: true });
  assert.ok(tinyBody({ protocol: 'openai', model: 'm', stream: false }).length < 200);
});

test('default scenarios: OpenRouter route 2 bodies × JSON/SSE × c1/c64, Anthropic pass-through and translation narrowed; --only filters', () => {
  const all = buildScenarios({ only: undefined, all: false });
  const openrouter = all.filter((scenario) => scenario.family === 'openrouter-chat');
  assert.equal(openrouter.length, 8);
  assert.ok(openrouter.every((scenario) => scenario.gateway.path === '/api/openrouter/chat/completions' && scenario.gatewayProvider === 'openrouter'));
  assert.ok(all.every((scenario) => scenario.gateway.headers['x-kilocode-mode'] === 'code'));
  assert.ok(all.every((scenario) => (JSON.parse(scenario.gateway.body) as { model: string }).model === 'kilo/auto'));
  assert.deepEqual(buildScenarios({ only: 'openrouter-chat/tiny/sse', all: false }).map((scenario) => scenario.id), [
    'openrouter-chat/tiny/sse/c1',
    'openrouter-chat/tiny/sse/c64',
  ]);
  const anthropic = all.filter((scenario) => scenario.family === 'anthropic-messages');
  assert.deepEqual(anthropic.map((scenario) => scenario.id), [
    'anthropic-messages/tiny/json/c1',
    'anthropic-messages/tiny/sse/c1',
    'anthropic-messages/tiny/sse/c64',
    'anthropic-messages/agent-40k/json/c1',
    'anthropic-messages/agent-40k/sse/c1',
    'anthropic-messages/agent-40k/sse/c64',
  ]);
  assert.ok(anthropic.every((scenario) => scenario.gatewayProvider === 'anthropic' && scenario.upstream.path === '/v1/messages'));
  assert.ok(anthropic.every((scenario) => scenario.gateway.responseProtocol === 'anthropic' && scenario.gateway.headers['anthropic-version']));
  const translated = all.filter((scenario) => scenario.family === 'openai-to-anthropic');
  assert.equal(translated.length, 4);
  assert.ok(translated.every((scenario) => scenario.stream && scenario.gateway.responseProtocol === 'openai' && scenario.upstream.responseProtocol === 'anthropic'));
  assert.equal(all.length, 18);
  assert.equal(buildScenarios({ only: undefined, all: true }).length, 26);
});

test('percentile uses nearest rank', () => {
  assert.equal(percentile([1, 2, 3, 4], 0.5), 2);
  assert.equal(percentile([1, 2, 3, 4], 0.99), 4);
  assert.ok(Number.isNaN(percentile([], 0.5)));
});

test('ratios are relative to the bare proxy of the same scenario', () => {
  const row = (target: BenchRow['target'], requestsPerSecond: number, addedP50Ms: number | null): BenchRow => ({
    scenario: 's',
    target,
    concurrency: 1,
    completed: 100,
    failures: 0,
    requestsPerSecond,
    p50Ms: 1,
    p99Ms: 2,
    addedP50Ms,
    ttfbMs: null,
    cpuMsPerRequest: 0.1,
    peakRssMb: 50,
  });
  const rows = [row('direct', 4000, null), row('bare-proxy', 2000, -0.1), row('gateway', 1000, 0.5)];
  const ratios = ratiosToBare(rows[2] as BenchRow, rows);
  assert.equal(ratios.requestsPerSecond, 0.5);
  assert.equal(ratios.addedP50Ms, null); // the bare proxy's added p50 is not positive
  assert.equal(ratios.ttfbMs, null);
  assert.match(renderTable(rows), /\| s \| gateway \| 1000 \(0\.50×\) \|/);
});

test('store cost: CPU per request of the switchable gateway with the store on against off, per scenario where both ran', () => {
  const row = (target: BenchRow['target'], cpuMsPerRequest: number, scenario = 'openrouter-chat/tiny/json/c1'): BenchRow => ({
    scenario, target, concurrency: 1, completed: 100, failures: 0, requestsPerSecond: 1, p50Ms: 1, p99Ms: 1, addedP50Ms: null, ttfbMs: null, cpuMsPerRequest, peakRssMb: 1,
  });
  // The served gateway's row (another process) is not what the store's cost is read from.
  const table = renderStoreCost([row('gateway', 0.5), row('gateway-store-on', 0.315), row('gateway-store-off', 0.3), row('gateway-store-on', 0.5, 'other/c64')]);
  assert.ok(table);
  assert.match(table, /\| openrouter-chat\/tiny\/json\/c1 \| 0\.315 \| 0\.300 \| \+5\.0% \| \+5\.0% to \+5\.0% \|/);
  assert.ok(!table.includes('other/c64'));
  assert.equal(renderStoreCost([row('gateway', 0.3), row('gateway-store-off', 0.3)]), null);
});

test('store hot loop: records really land in the store, and the figure is shown against the same run\'s gateway CPU, as a lower bound', async () => {
  const result = await measureStoreCost({ rounds: 2, recordsPerRound: 300 });
  assert.equal(result.rounds.length, 2);
  assert.ok(result.microsecondsPerRecord > 0 && Number.isFinite(result.microsecondsPerRecord));
  // The record it times is one the store accepts and reads back whole.
  const store = await openUsageStore({ sqlitePath: ':memory:' });
  try {
    const record = routedRecord(7, 1_790_000_000_123);
    await store.record(record);
    await store.flush();
    assert.deepEqual(await store.getRequest(record.id), record);
  } finally {
    await store.close();
  }
  const row = (target: BenchRow['target'], cpuMsPerRequest: number): BenchRow => ({
    scenario: 'openrouter-chat/tiny/json/c1', target, concurrency: 1, completed: 100, failures: 0, requestsPerSecond: 1, p50Ms: 1, p99Ms: 1, addedP50Ms: null, ttfbMs: null, cpuMsPerRequest, peakRssMb: 1,
  });
  const line = renderStoreHotLoop([row('gateway', 0.25), row('gateway-store-off', 0.24)], { microsecondsPerRecord: 10, rounds: [9.5, 10, 11], recordsPerRound: 1000 });
  assert.match(line, /10\.0 µs of CPU a record \(rounds 9\.5–11\.0\), a lower bound: caches stay warm in a loop; the gateway's CPU per request in this run: openrouter-chat\/tiny\/json\/c1 250 µs \(the loop's figure is 4\.0% of it\)\./);
});

test('CPU ratios pair the rounds: the median of per-round ratios, so a slow round for both targets does not skew it', () => {
  const row = (target: BenchRow['target'], rounds: number[]): BenchRow => ({
    scenario: 's', target, concurrency: 1, completed: 300, failures: 0, requestsPerSecond: 1, p50Ms: 1, p99Ms: 1, addedP50Ms: null, ttfbMs: null,
    cpuMsPerRequest: rounds.reduce((sum, value) => sum + value, 0) / rounds.length, cpuMsPerRequestRounds: rounds, peakRssMb: 1,
  });
  // Round 2 ran with the machine five times slower for both; pooled, it would dominate both averages.
  const bare = row('bare-proxy', [0.2, 1.0, 0.2]);
  const gateway = row('gateway', [0.3, 2.0, 0.32]);
  const ratio = cpuRatio(gateway, bare);
  assert.ok(ratio);
  assert.equal(ratio.median.toFixed(2), '1.60');
  assert.equal(ratio.low.toFixed(2), '1.50');
  assert.equal(ratio.high.toFixed(2), '2.00');
  assert.equal(ratiosToBare(gateway, [bare, gateway]).cpuMsPerRequest?.toFixed(2), '1.60');
  assert.match(renderTable([bare, gateway]), /\| s \| gateway \|.*\(1\.60×\) \| 1\.50–2\.00 \|/);
  // Rounds that do not pair up fall back to the pooled figures.
  assert.equal(cpuRatio(row('gateway', [0.4]), bare)?.median.toFixed(2), (0.4 / bare.cpuMsPerRequest).toFixed(2));
});

test('instruction counts: callgrind dump totals per thread, main thread apart, ratios to the bare proxy', () => {
  assert.equal(dumpTotal('version: 1\ncreator: callgrind-3.19.0\nevents: Ir\nsummary: 123456\n'), 123456);
  assert.equal(dumpTotal('events: Ir\ntotals: 42\n'), 42);
  assert.equal(dumpTotal('events: Ir\n'), 0);
  const table = renderInstructions(
    [
      { scenario: 's', target: 'bare-proxy', mainThread: 400_000, allThreads: 1_000_000 },
      { scenario: 's', target: 'gateway', mainThread: 600_000, allThreads: 1_800_000 },
    ],
    1000,
  );
  assert.match(table, /\| s \| gateway \| 600k \| 1\.50× \| 1800k \| 1\.80× \|/);
});

test('the gateway is started as its bin starts: the shebang\'s environment and node flags', () => {
  const directory = mkdtempSync(join(tmpdir(), 'automodel-shebang-'));
  try {
    const script = join(directory, 'cli.js');
    writeFileSync(script, '#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=8 --initial-old-space-size=32\nconsole.log(1);\n');
    assert.deepEqual(cliLaunch(script), { env: { MALLOC_ARENA_MAX: '2' }, nodeFlags: ['--max-semi-space-size=8', '--initial-old-space-size=32'] });
    writeFileSync(script, '#!/usr/bin/env node\n');
    assert.deepEqual(cliLaunch(script), { env: {}, nodeFlags: [] });
    // The real bin's shebang parses (the bench would otherwise start the gateway without its settings).
    assert.ok(cliLaunch('dist/src/cli/index.js').nodeFlags.length > 0);
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
});


test('warm-up goes on while slices set new lows, and a disturbed slice neither ends it nor holds it open', async () => {
  const policy = { ...DEFAULT_WARMUP, minSlices: 8, window: 6, tolerance: 0.02, maxSlices: 40 };
  // A gateway's first seconds (µs a request, measured): still falling after 8 slices, so not warm.
  const falling = [2049, 1518, 1609, 1212, 762, 698, 568, 652, 621, 555];
  assert.equal(isWarm(falling, policy), false);
  // Six slices in a row above the best so far: warm, even with one disturbed slice among them.
  assert.equal(isWarm([...falling, 560, 590, 1000, 571, 558, 566], policy), true);
  // A disturbed slice right after a new low does not end it: the low is recent.
  assert.equal(isWarm([...falling, 560, 1000, 530, 570], policy), false);
  // Never shorter than minSlices, never longer than maxSlices.
  assert.equal(isWarm([400, 400, 400, 400, 400, 400, 400], policy), false);
  assert.equal(isWarm(Array.from({ length: 40 }, (_, index) => 1000 - index * 10), policy), true);
  // Slices that measured nothing (no request completed) count as no new low but never as warm on their own.
  assert.equal(isWarm([Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN], policy), false);

  const costs = [3, 2, 1.5, 1.2, 1.1, 1.0, 1.0, 1.01, 1.02, 1.0, 1.05, 1.01, 1.03, 9, 9];
  let calls = 0;
  const result = await warmUntilSteady(async () => costs[calls++]!, policy);
  assert.equal(calls, 12, 'stops once six slices in a row set no new low');
  assert.equal(result.firstCpuMs, 3);
  assert.equal(result.seconds, 12 * policy.sliceSeconds);
  assert.deepEqual(result.slices, costs.slice(0, 12));
  assert.ok(Math.abs(result.settledCpuMs - 1.01) < 1e-9, `settled ${result.settledCpuMs}`);
});

test('progress: the time left is extrapolated from the run\'s own pace per target run, and not shown before any or after the last', () => {
  // 3 of 18 scenarios, 15 of 66 target runs in 300 s: 20 s a run, 51 runs left -> 1,020 s -> 17 min.
  assert.equal(renderProgress({ scenarios: 3, runs: 15 }, { scenarios: 18, runs: 66 }, 300), 'bench: 3/18 scenarios measured in 300 s; about 17 min to go');
  assert.equal(renderProgress({ scenarios: 18, runs: 66 }, { scenarios: 18, runs: 66 }, 1650.4), 'bench: 18/18 scenarios measured in 1650 s');
  assert.equal(renderProgress({ scenarios: 0, runs: 0 }, { scenarios: 18, runs: 66 }, 0), 'bench: 0/18 scenarios measured in 0 s');
});
