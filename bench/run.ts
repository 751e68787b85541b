/**
 * `npm run bench`: the gateway against a bare Node proxy and against the mock upstream itself, in one run, loopback only.
 *
 * Starts the child processes (mock upstream, bare proxy, and a gateway per upstream provider the scenarios need: one
 * configured with OpenRouter, one with Anthropic), drives each scenario of `scenarios.ts` on each target with
 * autocannon, measures TTFB with a sequential undici loop, reads each target's CPU time and peak RSS from /proc, prints
 * one markdown table (every figure also as a ratio to the bare proxy), then the mode-inference table (measured in this
 * process), and writes bench/results/latest.json.
 *
 * Cores: with two or more CPUs and taskset, the measured processes (bare proxy, gateways) run on the last CPU and this
 * process and the mock upstream on the others (`pinningPlan`); --no-pin leaves placement to the scheduler.
 *
 * Flags: --quick (short runs, a smoke test), --only <substring of a scenario id>, --all (every family),
 * --duration <seconds of load per target and scenario>, --rounds <interleaved rounds that share it, default 5>, --ttfb-count <n>, --gateway-cmd "<command with {port} {mock} {openrouterBaseUrl}>"
 * (or env BENCH_GATEWAY_CMD) to put another process in the gateway slots, e.g. the bare proxy while the gateway is
 * being written: --gateway-cmd "node dist/bench/bare-proxy.js --port {port} --upstream {mock}".
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, arch, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { closeMeasurement, measureTtfb, median, probe, runLoad } from './measure.js';
import type { HttpCall } from './measure.js';
import { cliLaunch, freePort, pinningPlan, pinSelf, readCpuMs, readPeakRssMb, resetPeakRss, startService, waitForHealthy, waitForLine } from './processes.js';
import type { Service } from './processes.js';
import { measureModeInference, renderModeInference } from './mode-inference.js';
import { renderHeader, renderProgress, renderStoreCost, renderStoreHotLoop, renderTable, writeResults } from './report.js';
import type { BenchMeta, BenchRow, TargetName } from './report.js';
import { buildScenarios, gatewayEnvironment } from './scenarios.js';
import type { BenchScenario, GatewayProvider, ScenarioCall } from './scenarios.js';
import { measureStoreCost } from './store-cost.js';
import { DEFAULT_WARMUP, FIXED_SECOND_WARMUP, INITIAL_WARMUP, minimumSeconds, QUICK_WARMUP, warmUntilSteady } from './warmup.js';
import type { WarmupPolicy, WarmupResult } from './warmup.js';

/** Seconds of measured load the default run may spend in total; per-run duration shrinks to fit when rows are added. */
const LOAD_BUDGET_SECONDS = 240;

interface Target {
  name: TargetName;
  /** Scenarios this target runs (default: all). */
  appliesTo?(scenario: BenchScenario): boolean;
  /** The process and address that serve this scenario on this target. */
  serverFor(scenario: BenchScenario): { baseUrl: string; service: Service };
  callFor(scenario: BenchScenario): ScenarioCall;
  /** Puts the process in this target's state before each load on it (the store switch of the store-on/off pair). */
  prepare?(): Promise<void>;
}

function toHttpCall(baseUrl: string, call: ScenarioCall): HttpCall {
  return { url: `${baseUrl}${call.path}`, method: 'POST', headers: call.headers, body: call.body };
}

/** A quick check that the target answers this scenario sensibly, so a broken row is reported instead of measured. */
async function checkTarget(call: HttpCall, scenarioCall: ScenarioCall, stream: boolean): Promise<string | undefined> {
  try {
    const { status, body } = await probe(call);
    if (status !== 200) return `status ${status}: ${body.slice(0, 120)}`;
    const openai = scenarioCall.responseProtocol === 'openai';
    if (stream && openai && !body.includes('data: [DONE]')) return 'stream did not end with data: [DONE]';
    if (stream && !openai && !body.includes('event: message_stop')) return 'stream did not end with message_stop';
    if (!stream && openai && !body.includes('"choices"')) return 'JSON body has no choices';
    if (!stream && !openai && !body.includes('"content"')) return 'JSON body has no content';
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Loads `service` with `call` until its CPU per request settles (see warmup.ts). */
function warmTarget(service: Service, call: HttpCall, connections: number, policy: WarmupPolicy): Promise<WarmupResult> {
  return warmUntilSteady(async (seconds) => {
    const cpuBefore = readCpuMs(service.pid);
    const load = await runLoad(call, connections, seconds);
    return load.completed > 0 ? (readCpuMs(service.pid) - cpuBefore) / load.completed : Number.NaN;
  }, policy);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      all: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'ttfb-count': { type: 'string' },
      rounds: { type: 'string' },
      'gateway-cmd': { type: 'string' },
      'no-pin': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node dist/bench/run.js [--quick] [--only SUBSTRING] [--all] [--duration S] [--rounds N] [--ttfb-count N] [--gateway-cmd CMD] [--no-pin]');
    return;
  }
  const scenarios = buildScenarios({ only: values.only, all: values.all });
  if (scenarios.length === 0) throw new Error(`no scenario matches --only ${values.only ?? ''}`);
  // Three targets per scenario, two more (the store switched on and off) on the OpenRouter route's rows.
  const runs = scenarios.length * 3 + scenarios.filter(storeSwitchApplies).length * 2;
  const durationSeconds = values.duration !== undefined
    ? Number(values.duration)
    : values.quick ? 0.5 : Math.max(1, Math.min(4, Math.floor(LOAD_BUDGET_SECONDS / runs)));
  const ttfbCount = values['ttfb-count'] !== undefined ? Number(values['ttfb-count']) : values.quick ? 30 : 200;
  if (!(durationSeconds > 0) || !Number.isInteger(ttfbCount) || ttfbCount < 1) {
    throw new Error('--duration takes a positive number of seconds and --ttfb-count a positive whole number');
  }
  const firstWarmup = values.quick ? QUICK_WARMUP : INITIAL_WARMUP;
  const scenarioWarmup = values.quick ? QUICK_WARMUP : DEFAULT_WARMUP;
  const directWarmup = values.quick ? QUICK_WARMUP : FIXED_SECOND_WARMUP;
  const rounds = values.rounds !== undefined ? Number(values.rounds) : values.quick ? 1 : 10;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds takes a whole number of at least 1');
  const gatewayTemplate = values['gateway-cmd'] ?? process.env.BENCH_GATEWAY_CMD;

  const startedAt = Date.now();
  const workDir = mkdtempSync(join(tmpdir(), 'automodel-bench-'));
  const services: Service[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(services.map((service) => service.stop()));
  };
  process.once('SIGINT', () => {
    void stopAll().then(() => process.exit(130));
  });

  try {
    const node = process.execPath;
    const pinning = values['no-pin'] ? null : pinningPlan(cpus().length);
    if (pinning) pinSelf(pinning.drivers);
    const distRoot = fileURLToPath(new URL('..', import.meta.url));

    const mock = startService({ name: 'mock upstream', command: node, args: [join(distRoot, 'test/mock-upstream/cli.js'), '--port', '0'], logFile: join(workDir, 'mock.log'), cpus: pinning?.drivers });
    services.push(mock);
    const mockUrl = (await waitForLine(mock, /listening on (http:\/\/\S+)/, 10_000))[1] ?? '';

    // The gateway starts as its bin does: the shebang's environment and node flags. The bare proxy runs under the same
    // settings, so that a ratio to it measures the gateway's code, not its runtime settings (V8's heap sizes make the
    // same code cheaper or dearer).
    const launch = cliLaunch(join(distRoot, 'src/cli/index.js'));
    const bare = startService({
      name: 'bare proxy',
      command: node,
      args: [...launch.nodeFlags, join(distRoot, 'bench/bare-proxy.js'), '--port', '0', '--upstream', mockUrl],
      env: { ...process.env, ...launch.env },
      logFile: join(workDir, 'bare-proxy.log'),
      cpus: pinning?.measured,
    });
    services.push(bare);
    const bareUrl = (await waitForLine(bare, /listening on (http:\/\/\S+)/, 10_000))[1] ?? '';
    const gateways = new Map<GatewayProvider, { baseUrl: string; service: Service; command: string }>();
    for (const provider of [...new Set(scenarios.map((scenario) => scenario.gatewayProvider))]) {
      const gatewayPort = await freePort();
      const gatewayArgs = gatewayTemplate
        ? gatewayTemplate
            .replaceAll('{port}', String(gatewayPort))
            .replaceAll('{mock}', mockUrl)
            .replaceAll('{openrouterBaseUrl}', `${mockUrl}/api/v1`)
            .split(/\s+/)
            .filter(Boolean)
        : [node, ...launch.nodeFlags, join(distRoot, 'src/cli/index.js'), 'serve', '--host', '127.0.0.1', '--port', String(gatewayPort)];
      const [gatewayCommand = node, ...gatewayRest] = gatewayArgs;
      const name = provider === 'openrouter' ? 'gateway' : `gateway (${provider})`;
      const gateway = startService({
        name,
        command: gatewayCommand === 'node' ? node : gatewayCommand,
        args: gatewayRest,
        env: { ...(gatewayTemplate ? {} : launch.env), ...gatewayEnvironment(mockUrl, join(workDir, `bench-${provider}.db`), provider) },
        logFile: join(workDir, `gateway-${provider}.log`),
        cpus: pinning?.measured,
      });
      services.push(gateway);
      const baseUrl = `http://127.0.0.1:${gatewayPort}`;
      await waitForHealthy(gateway, `${baseUrl}/healthz`, 30_000);
      const shownEnv = gatewayTemplate ? [] : Object.entries(launch.env).map(([name, value]) => `${name}=${value}`);
      gateways.set(provider, { baseUrl, service: gateway, command: [...shownEnv, ...gatewayArgs].join(' ') });
    }
    const gatewayFor = (scenario: BenchScenario): { baseUrl: string; service: Service } => {
      const gateway = gateways.get(scenario.gatewayProvider);
      if (!gateway) throw new Error(`no gateway for ${scenario.gatewayProvider}`);
      return gateway;
    };

    const targets: Target[] = [
      { name: 'direct', serverFor: () => ({ baseUrl: mockUrl, service: mock }), callFor: (scenario) => scenario.upstream },
      { name: 'bare-proxy', serverFor: () => ({ baseUrl: bareUrl, service: bare }), callFor: (scenario) => scenario.upstream },
      { name: 'gateway', serverFor: gatewayFor, callFor: (scenario) => scenario.gateway },
    ];
    if (!gatewayTemplate && scenarios.some(storeSwitchApplies)) {
      // One gateway process whose store a control port switches on and off (gateway-store-switch.ts): two targets
      // that are the same process, so "store on against off" compares rounds with the same heap and compiled code.
      const switchable = startService({
        name: 'gateway (store switch)',
        command: node,
        args: [...launch.nodeFlags, join(distRoot, 'bench/gateway-store-switch.js'), '--port', '0'],
        env: { ...launch.env, ...gatewayEnvironment(mockUrl, join(workDir, 'bench-store-switch.db'), 'openrouter') },
        logFile: join(workDir, 'gateway-store-switch.log'),
        cpus: pinning?.measured,
      });
      services.push(switchable);
      const [, switchUrl = '', controlUrl = ''] = await waitForLine(switchable, /listening on (http:\/\/\S+) control (http:\/\/\S+)/, 30_000);
      const server = { baseUrl: switchUrl, service: switchable };
      for (const state of ['on', 'off'] as const) {
        targets.push({
          name: `gateway-store-${state}`,
          appliesTo: storeSwitchApplies,
          serverFor: () => server,
          callFor: (scenario) => scenario.gateway,
          prepare: () => switchStore(controlUrl, state),
        });
      }
    }
    // The first time a process serves a request shape it gets the longer warm-up; the mock ("direct") a fixed second, as
    // it is the baseline of latency, not of CPU. `warmed` holds the process-and-shape pairs served so far.
    const warmupPolicy = (target: Target, scenario: BenchScenario, warmed: Set<string>): WarmupPolicy => {
      const key = `${target.serverFor(scenario).service.pid} ${scenario.shape}`;
      const firstTime = !warmed.has(key);
      warmed.add(key);
      return target.name === 'direct' ? directWarmup : firstTime ? firstWarmup : scenarioWarmup;
    };
    const presentFor = (scenario: BenchScenario): Target[] => targets.filter((target) => !target.appliesTo || target.appliesTo(scenario));
    const plannedWarmups = new Set<string>();
    let minimumRunSeconds = 10;
    for (const scenario of scenarios) {
      for (const target of presentFor(scenario)) minimumRunSeconds += durationSeconds + minimumSeconds(warmupPolicy(target, scenario, plannedWarmups));
    }
    console.error(
      `bench: ${scenarios.length} scenarios × ${targets.length} targets, ${durationSeconds} s each; ${Math.ceil(minimumRunSeconds)} s ` +
        'at least (each target is warmed until its CPU per request settles, which takes longer; the time left follows each scenario)',
    );

    // Probe each target on each request shape before measuring anything.
    const probeFailures = new Map<string, string>();
    const shapes = [...new Map(scenarios.map((scenario) => [scenario.shape, scenario])).values()];
    for (const target of targets) {
      for (const scenario of shapes) {
        if (target.appliesTo && !scenarios.some((candidate) => candidate.shape === scenario.shape && target.appliesTo!(candidate))) continue;
        const scenarioCall = target.callFor(scenario);
        const call = toHttpCall(target.serverFor(scenario).baseUrl, scenarioCall);
        await target.prepare?.();
        const failure = await checkTarget(call, scenarioCall, scenario.stream);
        if (failure) {
          probeFailures.set(`${target.name} ${scenario.shape}`, failure);
          console.error(`bench: ${target.name} fails ${scenario.shape}: ${failure}`);
          continue;
        }
      }
    }

    const rows: BenchRow[] = [];
    const warmedShapes = new Set<string>();
    let runIndex = 0;
    const measuringFrom = Date.now();
    for (const [scenarioIndex, scenario] of scenarios.entries()) {
      // The targets that serve this scenario, and of those the ones whose probe passed (the others get a failed row).
      const present = presentFor(scenario);
      const runnable = present.filter((target) => !probeFailures.has(`${target.name} ${scenario.shape}`));
      // Peak RSS per scenario: each process's high-water mark starts again from its current RSS, so a row shows what
      // its own load needed (plus whatever the process still holds from earlier rows), not the peak of the whole run.
      for (const target of present) resetPeakRss(target.serverFor(scenario).service.pid);
      // Each target is warmed on this scenario's load until its CPU per request stops falling (warmup.ts): the rounds
      // then compare steady costs. A gateway comes back to a scenario after minutes of serving other shapes or none.
      const warmups = new Map<TargetName, WarmupResult>();
      for (const target of runnable) {
        const server = target.serverFor(scenario);
        const policy = warmupPolicy(target, scenario, warmedShapes);
        await target.prepare?.();
        const warmup = await warmTarget(server.service, toHttpCall(server.baseUrl, target.callFor(scenario)), scenario.concurrency, policy);
        warmups.set(target.name, warmup);
        console.error(
          `bench: ${scenario.id} ${target.name} warmed ${warmup.seconds.toFixed(1)} s: ` +
            `${(warmup.firstCpuMs * 1000).toFixed(0)} -> ${(warmup.settledCpuMs * 1000).toFixed(0)} µs CPU a request`,
        );
      }
      // Interleaved rounds: each target runs `rounds` times in turn (direct, bare, gateway, direct, bare, gateway…), so a
      // machine that slows down or speeds up during the scenario moves every target alike. CPU per request pools the
      // rounds (ticks over responses); latency figures are the median of the rounds.
      const measured = new Map<TargetName, { cpuMs: number; completed: number; failures: number; seconds: number; cpuRounds: number[]; rps: number[]; p50: number[]; p99: number[] }>();
      for (let round = 0; round < rounds; round++) {
        // Every other round runs the targets in reverse order, so no target always follows the same one: the store-off
        // rounds, which share a process with the store-on rounds, always came right after them, and the 40 KB JSON row
        // then read the store as cheaper than nothing in all ten rounds.
        for (const target of round % 2 === 0 ? runnable : [...runnable].reverse()) {
          const server = target.serverFor(scenario);
          const call = toHttpCall(server.baseUrl, target.callFor(scenario));
          await target.prepare?.();
          // CPU per request: the target's CPU time over its load runs only (per-thread schedstat, ns),
          // divided by the responses it completed. It counts what the process itself burns, not the load generator or
          // the other processes sharing these 2 cores.
          const cpuBefore = readCpuMs(server.service.pid);
          const load = await runLoad(call, scenario.concurrency, durationSeconds / rounds);
          const cpuAfter = readCpuMs(server.service.pid);
          const entry = measured.get(target.name) ?? { cpuMs: 0, completed: 0, failures: 0, seconds: 0, cpuRounds: [], rps: [], p50: [], p99: [] };
          entry.cpuMs += cpuAfter - cpuBefore;
          entry.cpuRounds.push(load.completed > 0 ? (cpuAfter - cpuBefore) / load.completed : Number.NaN);
          entry.completed += load.completed;
          entry.failures += load.failures;
          entry.rps.push(load.requestsPerSecond);
          entry.p50.push(load.p50Ms);
          entry.p99.push(load.p99Ms);
          measured.set(target.name, entry);
        }
      }
      let directP50: number | undefined;
      for (const target of present) {
        runIndex += 1;
        const failure = probeFailures.get(`${target.name} ${scenario.shape}`);
        const base = { scenario: scenario.id, target: target.name, concurrency: scenario.concurrency };
        const entry = measured.get(target.name);
        if (failure || !entry) {
          rows.push({ ...base, failure: failure ?? 'not measured', completed: 0, failures: 0, requestsPerSecond: 0, p50Ms: 0, p99Ms: 0, addedP50Ms: null, ttfbMs: null, cpuMsPerRequest: 0, peakRssMb: 0 });
          continue;
        }
        const server = target.serverFor(scenario);
        const call = toHttpCall(server.baseUrl, target.callFor(scenario));
        await target.prepare?.();
        const ttfbMs = scenario.concurrency === 1 ? await measureTtfb(call, ttfbCount) : null;
        const p50Ms = median(entry.p50);
        if (target.name === 'direct') directP50 = p50Ms;
        rows.push({
          ...base,
          completed: entry.completed,
          failures: entry.failures,
          requestsPerSecond: median(entry.rps),
          p50Ms,
          p99Ms: median(entry.p99),
          addedP50Ms: target.name === 'direct' || directP50 === undefined ? null : p50Ms - directP50,
          ttfbMs,
          cpuMsPerRequest: entry.completed > 0 ? entry.cpuMs / entry.completed : Number.NaN,
          cpuMsPerRequestRounds: entry.cpuRounds,
          peakRssMb: readPeakRssMb(server.service.pid),
          warmup: warmups.get(target.name),
        });
        console.error(
          `[${runIndex}/${runs}] ${scenario.id} ${target.name}: ${median(entry.rps).toFixed(0)} req/s, ` +
            `p50 ${p50Ms.toFixed(3)} ms${entry.failures > 0 ? `, ${entry.failures} failed` : ''}`,
        );
      }
      console.error(renderProgress({ scenarios: scenarioIndex + 1, runs: runIndex }, { scenarios: scenarios.length, runs }, (Date.now() - measuringFrom) / 1000));
    }

    const cpuList = cpus();
    const meta: BenchMeta = {
      startedAt: new Date(startedAt).toISOString(),
      node: process.version,
      platform: `${platform()} ${arch()}`,
      cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
      cores: cpuList.length,
      durationSecondsPerRun: durationSeconds,
      rounds,
      ttfbRequests: ttfbCount,
      quick: values.quick,
      gatewayCommand: [...gateways.entries()].map(([provider, gateway]) => `${provider}: ${gateway.command}`).join('; '),
      totalSeconds: Math.round((Date.now() - startedAt) / 1000),
      ...(pinning ? { pinning: `proxies on CPU ${pinning.measured}, load generator and mock on CPU ${pinning.drivers}` } : {}),
    };
    const failedRequests = rows.reduce((sum, row) => sum + row.failures, 0);
    // Measured after the load runs, with the children idle, so nothing competes for this process's core.
    const modeInference = measureModeInference(values.quick);
    const storeHotLoop = await measureStoreCost(values.quick ? { rounds: 3, recordsPerRound: 2000 } : {});
    console.log(renderHeader(meta));
    console.log('');
    console.log(renderTable(rows));
    console.log('');
    const storeCost = renderStoreCost(rows);
    if (storeCost) console.log(`${storeCost}\n`);
    console.log(`${renderStoreHotLoop(rows, storeHotLoop)}\n`);
    console.log(renderModeInference(modeInference));
    if (failedRequests > 0) console.log(`\nWarning: ${failedRequests} requests failed (non-2xx, errors or timeouts); see bench/results/latest.json.`);
    const resultsPath = resolve(process.cwd(), 'bench/results/latest.json');
    writeResults(resultsPath, meta, rows, { modeInference, storeHotLoop });
    console.error(`bench: done in ${meta.totalSeconds} s; results in ${resultsPath}`);
  } finally {
    await stopAll();
    await closeMeasurement();
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});

/**
 * What recording usage costs is measured on the OpenRouter route, by the gateway whose store is switched on and off. It
 * runs every scenario the OpenRouter gateway runs, c64 too, so that it has the same history as the real one.
 */
function storeSwitchApplies(scenario: BenchScenario): boolean {
  return scenario.gatewayProvider === 'openrouter';
}

/** Turns the switchable gateway's store on or off; resolves once it has (records taken while on are flushed first). */
async function switchStore(controlUrl: string, state: 'on' | 'off'): Promise<void> {
  const { statusCode, body } = await request(`${controlUrl}/store/${state}`, { method: 'POST' });
  const answer = await body.text();
  if (statusCode !== 200 || answer !== state) throw new Error(`store switch: ${statusCode} ${answer}`);
}
