/**
 * kill -9 of the real gateway mid-burst loses no completed request: the CLI gateway runs as a child process on a SQLite
 * file, a loopback mock answers as OpenRouter, 1,000 mixed requests (OpenAI and Anthropic clients, JSON and SSE) run 32
 * at a time, and the gateway gets SIGKILL once 300 have completed. Every request whose body the client read to its end
 * must then be in the database the gateway left behind. Three rounds run on the same file: each restart also proves the
 * database a killed gateway leaves behind opens and takes writes again.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { freePort, waitForHealthy, type Service } from '../../bench/processes.js';
import { openUsageStore } from '../../src/usage/store.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';
import { createClientPool, REQUEST_KINDS, runBurst, succeeded, type ClientOutcome } from './load-client.js';

const CLI = fileURLToPath(new URL('../../src/cli/index.js', import.meta.url));
const TOTAL = 1_000;
const CONCURRENCY = 32;
const KILL_AFTER_COMPLETED = 300;
const UPSTREAM_KEY = 'sk-or-kill9-0123456789';
const ROUNDS = 3;

/** The environment of the child: nothing of ours leaks in (no provider keys, no config file, no database URL). */
function childEnvironment(mockUrl: string, databasePath: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    AUTOMODEL_DB: databasePath,
    OPENROUTER_API_KEY: UPSTREAM_KEY,
    OPENROUTER_BASE_URL: `${mockUrl}/api/v1`,
    LOG_LEVEL: 'warn',
  };
}

interface BurstResult {
  completed: string[];
  terminalOnly: string[];
  /** Requests open when the kill landed (headers or not yet), cut off. */
  killedInFlight: number;
  /** Of those, how many had already received their headers. */
  killedAfterHeaders: number;
  /** Requests sent after the kill (connection refused). */
  refused: number;
}

function refusedOutcome(outcome: ClientOutcome): boolean {
  return outcome.transportError?.startsWith('ECONNREFUSED') === true;
}

/** Starts the CLI gateway on `databasePath`, runs the burst, SIGKILLs it after `KILL_AFTER_COMPLETED` completions. */
async function burstAndKill(mockUrl: string, directory: string, databasePath: string): Promise<BurstResult> {
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    cwd: directory,
    env: childEnvironment(mockUrl, databasePath),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const service = { name: 'gateway', pid: child.pid!, child, logFile: '(stderr)', stop: async () => {} } satisfies Service;
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(service, `${baseUrl}/healthz`, 20_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }

  const dispatcher = createClientPool(CONCURRENCY);
  let completedSoFar = 0;
  const outcomes = await runBurst({
    baseUrl,
    total: TOTAL,
    concurrency: CONCURRENCY,
    kindOf: (index) => REQUEST_KINDS[index % REQUEST_KINDS.length]!,
    dispatcher,
    timeoutMs: 10_000,
    onOutcome: (outcome: ClientOutcome) => {
      if (!succeeded(outcome)) return;
      completedSoFar += 1;
      if (completedSoFar === KILL_AFTER_COMPLETED) child.kill('SIGKILL');
    },
  });
  await dispatcher.close();
  if (child.exitCode === null && child.signalCode === null && completedSoFar < KILL_AFTER_COMPLETED) child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL', `the gateway should have died of SIGKILL\n${stderr}`);
  return {
    completed: outcomes.filter(succeeded).map((outcome) => outcome.requestId!),
    // Streams that showed their terminal event ([DONE] / message_stop) but whose body did not end before the kill.
    terminalOnly: outcomes.filter((outcome) => outcome.status === 200 && outcome.sawTerminal && !outcome.completed).map((outcome) => outcome.requestId!),
    killedInFlight: outcomes.filter((outcome) => !outcome.completed && !refusedOutcome(outcome)).length,
    killedAfterHeaders: outcomes.filter((outcome) => outcome.requestId !== null && !outcome.completed).length,
    refused: outcomes.filter(refusedOutcome).length,
  };
}

describe('durability: SIGKILL of the gateway mid-burst', { timeout: 60_000 }, () => {
  const directory = mkdtempSync(join(tmpdir(), 'automodel-kill9-'));
  const databasePath = join(directory, 'usage.db');
  let mock: MockUpstream;

  before(async () => {
    // A short pause per frame keeps a few dozen streams open at any moment, so the kill lands on work in flight.
    mock = await startMockUpstream({ recordLimit: 0, defaults: { delayMs: 1 } });
  });
  after(async () => {
    await mock.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it('every request the client saw complete is stored, across three kill/restart rounds on one file', async (context) => {
    const completedIds: string[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const result = await burstAndKill(mock.url, directory, databasePath);
      completedIds.push(...result.completed);
      const store = await openUsageStore({ sqlitePath: databasePath });
      try {
        const missing: string[] = [];
        for (const id of result.completed) if ((await store.getRequest(id)) === null) missing.push(id);
        let terminalOnlyMissing = 0;
        for (const id of result.terminalOnly) if ((await store.getRequest(id)) === null) terminalOnlyMissing += 1;
        const [total] = await store.summarize({ by: 'total' });
        const summary =
          `kill -9 round ${round}: ${TOTAL} sent (c${CONCURRENCY}), ${result.completed.length} completed, ` +
          `${total?.requests ?? 0} stored in the file so far (all rounds), ${result.killedInFlight} killed in flight ` +
          `(${result.killedAfterHeaders} of them mid-body), ${result.refused} refused after the kill, ` +
          `${result.terminalOnly.length} saw the terminal event but not the end of the body (${terminalOnlyMissing} of those not stored), ` +
          `${missing.length} completed but missing`;
        context.diagnostic(summary);
        console.log(summary);
        assert.ok(result.completed.length >= KILL_AFTER_COMPLETED, `only ${result.completed.length} completed`);
        assert.ok(result.completed.length < TOTAL, 'the kill landed after the burst: nothing was in flight');
        assert.deepEqual(missing, [], `${missing.length} of ${result.completed.length} completed requests were not stored`);
      } finally {
        await store.close();
      }
    }
    const store = await openUsageStore({ sqlitePath: databasePath });
    try {
      const [total] = await store.summarize({ by: 'total' });
      assert.ok((total?.requests ?? 0) >= completedIds.length);
    } finally {
      await store.close();
    }
  });
});
