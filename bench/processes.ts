/**
 * Child processes of the benchmark (mock upstream, bare proxy, gateway): start, wait until ready, read their CPU time
 * and peak memory from /proc, stop.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';

/** A started child process. */
export interface Service {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(): Promise<void>;
}

/** What to start. `command` is run directly (no shell) so `pid` is the measured process itself. */
export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** CPUs to pin the process to (a `taskset -c` list such as `1` or `0-2`); taskset execs the command, so the pid is kept. */
  cpus?: string;
}

/** Starts a child with stdout and stderr copied to its log file (and kept for readiness lines). */
export function startService(spec: ServiceSpec): Service {
  const [command, args] = spec.cpus === undefined ? [spec.command, spec.args] : ['taskset', ['-c', spec.cpus, spec.command, ...spec.args]];
  const child = spawn(command, args, { env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  if (child.pid === undefined) throw new Error(`${spec.name}: could not start ${spec.command}`);
  const log = createWriteStream(spec.logFile);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name: spec.name,
    pid: child.pid,
    child,
    logFile: spec.logFile,
    async stop(): Promise<void> {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timedOut = await Promise.race([exited.then(() => false), sleep(3000).then(() => true)]);
        if (timedOut) child.kill('SIGKILL');
        await exited;
      }
      log.end();
    },
  };
}

/** Resolves with the first match of `pattern` in the child's stdout; rejects on exit or after `timeoutMs`. */
export function waitForLine(service: Service, pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => finish(new Error(`${service.name}: not ready after ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const match = seen.match(pattern);
      if (match) finish(undefined, match);
    };
    const onExit = (): void => finish(new Error(`${service.name} exited before it was ready (see ${service.logFile})`));
    function finish(error: Error | undefined, match?: RegExpMatchArray): void {
      clearTimeout(timer);
      service.child.stdout?.off('data', onData);
      service.child.off('exit', onExit);
      if (error) reject(error);
      else if (match) resolve(match);
    }
    service.child.stdout?.on('data', onData);
    service.child.once('exit', onExit);
  });
}

/** Polls `GET url` until it answers 200. */
export async function waitForHealthy(service: Service, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with code ${service.child.exitCode} (see ${service.logFile})`);
    try {
      const response = await request(url, { headersTimeout: 1000, bodyTimeout: 1000 });
      await response.body.text();
      if (response.statusCode === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${service.name}: ${url} did not answer 200 within ${timeoutMs} ms (see ${service.logFile})`);
}

/**
 * How the benchmark shares the cores: the measured proxies (bare proxy, gateways) on the last CPU, the load generator
 * (this process) and the mock upstream on the others. Without it, the scheduler moves the three busy processes across
 * two cores at will and each target's run meets a different mix of neighbours. Pinning removes that part of the spread;
 * the VM's own drift remains (hence the per-round ratios in the report). Null (no pinning) on one core or without taskset.
 */
export function pinningPlan(cpuCount: number): { measured: string; drivers: string } | null {
  if (cpuCount < 2) return null;
  try {
    execFileSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const last = cpuCount - 1;
  return { measured: String(last), drivers: last === 1 ? '0' : `0-${last - 1}` };
}

/** Pins this process (the load generator), all its threads, to `cpus`. */
export function pinSelf(cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}

/** A port that was free a moment ago (the OS picks it; tiny race accepted for a benchmark). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = address !== null && typeof address === 'object' ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

let clockTicksPerSecond: number | undefined;

function ticksPerSecond(): number {
  if (clockTicksPerSecond === undefined) {
    try {
      clockTicksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicksPerSecond = 100;
    }
  }
  return clockTicksPerSecond;
}

/**
 * CPU time the process has used so far, user + system, in ms. Read from each thread's `/proc/PID/task/TID/schedstat`
 * (its first field is the time the thread ran, in nanoseconds), so a 1-second run is measured to the microsecond; the
 * 10 ms clock ticks of `/proc/PID/stat` (fields 14 and 15), the fallback, quantise such a run by a few percent.
 * Node's threads (main, libuv pool, V8 platform workers) live as long as the process, so the sum moves only forward.
 */
export function readCpuMs(pid: number): number {
  try {
    let nanoseconds = 0;
    for (const thread of readdirSync(`/proc/${pid}/task`)) {
      const schedstat = readFileSync(`/proc/${pid}/task/${thread}/schedstat`, 'utf8');
      nanoseconds += Number(schedstat.slice(0, schedstat.indexOf(' ')));
    }
    if (Number.isFinite(nanoseconds) && nanoseconds > 0) return nanoseconds / 1e6;
  } catch {
    // A thread ended between the listing and the read, or schedstat is not there: fall back to the process's ticks.
  }
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, fields start at 3 (state): utime is field 14 → index 11, stime field 15 → index 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / ticksPerSecond();
}

/**
 * Starts a new peak-RSS window: writing 5 to `/proc/PID/clear_refs` sets VmHWM back to the current RSS (Linux 4.0+),
 * so `readPeakRssMb` then reports the peak of what ran since, not of every earlier scenario. False where not allowed.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak resident set size so far (VmHWM in /proc/PID/status), in MB. */
export function readPeakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/**
 * How the CLI's shebang (`#!/usr/bin/env -S [NAME=value …] node [--flag …]`) starts it: the environment it sets and the
 * node flags, so the gateway runs here exactly as its bin runs.
 */
export function cliLaunch(cliPath: string): { env: Record<string, string>; nodeFlags: string[] } {
  const first = readFileSync(cliPath, 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\S*env -S((?: [A-Z_][A-Z0-9_]*=\S+)*) node((?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(first);
  const env: Record<string, string> = {};
  for (const assignment of match?.[1]?.trim().split(/\s+/).filter(Boolean) ?? []) {
    const equals = assignment.indexOf('=');
    env[assignment.slice(0, equals)] = assignment.slice(equals + 1);
  }
  return { env, nodeFlags: match?.[2]?.trim().split(/\s+/).filter(Boolean) ?? [] };
}
