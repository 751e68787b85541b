/**
 * `npm run bench:instructions`: what a request costs in instructions, counted by valgrind's callgrind, for the gateway,
 * the gateway with its store off and the bare proxy, at concurrency 1.
 *
 * Why a second benchmark: on these shared 2-core VMs the CPU time of one and the same process drifts 2-5x within a minute,
 * so a CPU-time ratio moves by tens of percent between runs (see `npm run bench`, which reports each round's ratio).
 * Instruction counts do not drift: the same requests give the same count to a fraction of a percent, which makes a 5%
 * difference (the store's cost, a change's gain) measurable at all. They do not see what an instruction costs (cache
 * misses, syscalls inside the kernel), so they complement the CPU-time table rather than replace it.
 *
 * Each target runs under callgrind for the whole run; per scenario it gets warm-up requests, then its counters are zeroed,
 * `--requests` sequential requests are sent, and the counters are dumped per thread. The main thread (JavaScript, the
 * event loop, SQLite) is reported apart from V8's helper threads (concurrent GC and the optimising compiler, whose work
 * under valgrind still includes warm-up compilation).
 *
 *   npm run bench:instructions [-- --requests 1000 --warmup 400 --only tiny/json]
 *
 * Needs valgrind (Debian package `valgrind`); about 40 s a target and scenario.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { cliLaunch, freePort, startService, waitForHealthy, waitForLine } from './processes.js';
import type { Service } from './processes.js';
import { buildScenarios, gatewayEnvironment } from './scenarios.js';
import type { BenchScenario, GatewayProvider, ScenarioCall } from './scenarios.js';

/** Instructions per request of one target on one scenario. */
export interface InstructionRow {
  scenario: string;
  target: string;
  mainThread: number;
  allThreads: number;
}

/**
 * The instruction totals of a callgrind dump with `--separate-threads=yes`: one file per thread, `<out>.<dump>-<thread>`,
 * each with a `summary:` (or `totals:`) line. Thread 01 is the main thread.
 */
export function readDump(directory: string, outName: string, dump: number): { main: number; all: number } {
  let main = 0;
  let all = 0;
  const prefix = `${outName}.${dump}-`;
  for (const file of readdirSync(directory)) {
    if (!file.startsWith(prefix)) continue;
    const count = dumpTotal(readFileSync(join(directory, file), 'utf8'));
    all += count;
    if (file.slice(prefix.length) === '01') main = count;
  }
  return { main, all };
}

/** The `summary:` (or last `totals:`) figure of one callgrind output file; 0 when it has none. */
export function dumpTotal(text: string): number {
  const match = /^summary:\s+(\d+)/m.exec(text) ?? /^totals:\s+(\d+)/m.exec(text);
  return match ? Number(match[1]) : 0;
}

interface Target {
  name: string;
  service: Service;
  baseUrl: string;
  outName: string;
  dumps: number;
  appliesTo(scenario: BenchScenario): boolean;
  callFor(scenario: BenchScenario): ScenarioCall;
}

async function send(baseUrl: string, call: ScenarioCall, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    const response = await request(`${baseUrl}${call.path}`, { method: 'POST', headers: call.headers, body: call.body });
    await response.body.text();
    if (response.statusCode !== 200) throw new Error(`${call.path} answered ${response.statusCode}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '1000' },
      warmup: { type: 'string', default: '400' },
      only: { type: 'string' },
    },
  });
  const requests = Number(values.requests);
  const warmup = Number(values.warmup);
  if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(warmup) || warmup < 0) throw new Error('--requests and --warmup take whole numbers');
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error('valgrind is not installed (Debian: apt-get install valgrind)');
  }
  const defaults = ['openrouter-chat/tiny/json/c1', 'openrouter-chat/tiny/sse/c1', 'openrouter-chat/agent-40k/json/c1', 'anthropic-messages/tiny/json/c1', 'openai-to-anthropic/tiny/sse/c1'];
  const scenarios = buildScenarios({ only: values.only, all: true }).filter((scenario) =>
    values.only === undefined ? defaults.includes(scenario.id) : scenario.concurrency === 1,
  );
  if (scenarios.length === 0) throw new Error('no scenario at concurrency 1 matches');

  const directory = mkdtempSync(join(tmpdir(), 'automodel-instructions-'));
  const distRoot = fileURLToPath(new URL('..', import.meta.url));
  const node = process.execPath;
  const services: Service[] = [];
  try {
    const mock = startService({ name: 'mock upstream', command: node, args: [join(distRoot, 'test/mock-upstream/cli.js'), '--port', '0'], logFile: join(directory, 'mock.log') });
    services.push(mock);
    const mockUrl = (await waitForLine(mock, /listening on (http:\/\/\S+)/, 10_000))[1] ?? '';
    const cli = join(distRoot, 'src/cli/index.js');
    // Node flags only: valgrind replaces malloc, so the shebang's malloc settings mean nothing here.
    const flags = cliLaunch(cli).nodeFlags;

    const underCallgrind = async (name: string, script: string[], provider: GatewayProvider | null): Promise<Omit<Target, 'appliesTo' | 'callFor'>> => {
      const port = await freePort();
      const outName = `${name}.out`;
      // The bare proxy takes its upstream as a flag and reads nothing from the environment.
      const env = provider === null ? process.env : gatewayEnvironment(mockUrl, join(directory, `${name}.db`), provider);
      const service = startService({
        name,
        command: 'valgrind',
        args: [
          '--tool=callgrind', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${join(directory, outName)}`,
          node, ...flags, ...script, '--port', String(port),
        ],
        env,
        logFile: join(directory, `${name}.log`),
      });
      services.push(service);
      const baseUrl = `http://127.0.0.1:${port}`;
      // The bare proxy forwards every path, /healthz too; it says when it listens.
      if (provider === null) await waitForLine(service, /listening on/, 180_000);
      else await waitForHealthy(service, `${baseUrl}/healthz`, 180_000);
      return { name, service, baseUrl, outName, dumps: 0 };
    };

    const targets: Target[] = [];
    const bare = await underCallgrind('bare-proxy', [join(distRoot, 'bench/bare-proxy.js'), '--upstream', mockUrl], null);
    targets.push({ ...bare, appliesTo: () => true, callFor: (scenario) => scenario.upstream });
    for (const provider of [...new Set(scenarios.map((scenario) => scenario.gatewayProvider))]) {
      const gateway = await underCallgrind(`gateway-${provider}`, [cli, 'serve', '--host', '127.0.0.1'], provider);
      targets.push({ ...gateway, name: 'gateway', appliesTo: (scenario) => scenario.gatewayProvider === provider, callFor: (scenario) => scenario.gateway });
    }
    if (scenarios.some((scenario) => scenario.gatewayProvider === 'openrouter')) {
      const storeOff = await underCallgrind('gateway-store-off', [join(distRoot, 'bench/gateway-store-switch.js'), '--store', 'off'], 'openrouter');
      targets.push({ ...storeOff, appliesTo: (scenario) => scenario.gatewayProvider === 'openrouter', callFor: (scenario) => scenario.gateway });
    }

    const rows: InstructionRow[] = [];
    for (const scenario of scenarios) {
      for (const target of targets) {
        if (!target.appliesTo(scenario)) continue;
        const call = target.callFor(scenario);
        await send(target.baseUrl, call, warmup);
        execFileSync('callgrind_control', ['--zero', String(target.service.pid)], { stdio: 'ignore' });
        await send(target.baseUrl, call, requests);
        execFileSync('callgrind_control', ['--dump', String(target.service.pid)], { stdio: 'ignore' });
        target.dumps += 1;
        const counts = readDump(directory, target.outName, target.dumps);
        rows.push({ scenario: scenario.id, target: target.name, mainThread: counts.main / requests, allThreads: counts.all / requests });
        console.error(`${scenario.id} ${target.name}: ${(counts.main / requests / 1000).toFixed(0)}k instructions a request on the main thread`);
      }
    }
    console.log(renderInstructions(rows, requests));
  } finally {
    await Promise.all(services.map((service) => service.stop()));
    rmSync(directory, { recursive: true, force: true });
  }
}

/** The rows as a markdown table with ratios to the bare proxy of the same scenario. */
export function renderInstructions(rows: readonly InstructionRow[], requests: number): string {
  const lines = [
    `Instructions per request (callgrind, ${requests} sequential requests after warm-up; k = thousand)`,
    '',
    '| scenario | target | main thread | × bare | all threads | × bare |',
    '|---|---|--:|--:|--:|--:|',
  ];
  for (const row of rows) {
    const bare = rows.find((candidate) => candidate.scenario === row.scenario && candidate.target === 'bare-proxy');
    const ratio = (value: number, base: number | undefined): string => (base && base > 0 ? `${(value / base).toFixed(2)}×` : '—');
    lines.push(
      `| ${row.scenario} | ${row.target} | ${(row.mainThread / 1000).toFixed(0)}k | ${ratio(row.mainThread, bare?.mainThread)} | ` +
        `${(row.allThreads / 1000).toFixed(0)}k | ${ratio(row.allThreads, bare?.allThreads)} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((error: unknown) => {
    console.error(`bench:instructions: ${(error as Error).message}`);
    process.exitCode = 1;
  });
}
