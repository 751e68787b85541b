/**
 * Child processes of the benchmark (mock upstream, bare proxy, gateway): start, wait until ready, read their CPU time
 * and peak memory from /proc, stop.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
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
}

/** Starts a child with stdout and stderr copied to its log file (and kept for readiness lines). */
export function startService(spec: ServiceSpec): Service {
  const child = spawn(spec.command, spec.args, { env: spec.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
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
 * CPU time the process has used so far, user + system, in ms: fields 14 (utime) and 15 (stime) of /proc/PID/stat, in
 * clock ticks (usually 10 ms each). The command name (field 2) may hold spaces, so fields are counted after its ')'.
 */
export function readCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the name, fields start at 3 (state): utime is field 14 → index 11, stime field 15 → index 12.
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / ticksPerSecond();
}

/** Peak resident set size so far (VmHWM in /proc/PID/status), in MB. */
export function readPeakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : Number.NaN;
}
