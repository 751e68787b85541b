/**
 * What recording one request's usage costs, measured in a hot loop in this process: the real SQLite store in a temporary
 * directory, a record as the gateway builds it for a routed request, the journal write and the batched insert (commits,
 * WAL writes and checkpoints included, amortised over the records).
 *
 * A lower bound, not the cost inside the gateway. The figure is steady (a few percent between rounds, where the
 * store-on/store-off process comparison moves by tens of percent on these VMs), but in a loop the store's code and data
 * stay in the CPU caches. Between requests they do not: under callgrind the loop executes 87.5k instructions a record,
 * the same as the 91k a request the gateway spends with the store on over off, yet the loop runs them three to four
 * times faster than the gateway's own instructions run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openUsageStore } from '../src/usage/store.js';
import type { UsageRecord } from '../src/usage/types.js';

export interface StoreCostResult {
  /** CPU time (user + system) per record, median of the rounds. */
  microsecondsPerRecord: number;
  /** Each round's figure. */
  rounds: number[];
  recordsPerRound: number;
}

/** A record as the gateway writes it for a routed, served request (the bench's OpenRouter route, code mode). */
export function routedRecord(sequence: number, time: number): UsageRecord {
  const hex = sequence.toString(16).padStart(12, '0');
  return {
    id: `019ac000-0000-7000-8000-${hex}`,
    time,
    clientProtocol: 'openai-chat',
    route: '/api/openrouter/chat/completions',
    clientName: 'kilo-code',
    sessionId: 'task-0123456789',
    mode: 'code',
    modeSource: 'header',
    tier: 'implementation',
    requestedModel: 'kilo/auto',
    servedModel: 'claude-sonnet-4-5',
    provider: 'openrouter',
    attempts: [{ provider: 'openrouter', model: 'anthropic/claude-sonnet-4.5', status: 200, failureClass: null, durationMs: 1.27 }],
    status: 200,
    errorCode: null,
    inputTokens: 1200,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: null,
    tokensEstimated: false,
    costUsd: 0.0039,
    costSource: 'catalog',
    baselineCostUsd: 0.0065,
    ttfbMs: 0.81,
    durationMs: 1.34,
    streamed: false,
    aborted: false,
    reason: "mode 'code' from x-kilocode-mode -> implementation tier -> claude-sonnet-4-5 via openrouter",
    detail: { diagnostics: [], candidates: ['openrouter:anthropic/claude-sonnet-4.5'] },
  };
}

/** Records `recordsPerRound` records per round through a fresh SQLite store; the records are built before timing. */
export async function measureStoreCost(options: { rounds?: number; recordsPerRound?: number } = {}): Promise<StoreCostResult> {
  const rounds = options.rounds ?? 5;
  const recordsPerRound = options.recordsPerRound ?? 10_000;
  const directory = mkdtempSync(join(tmpdir(), 'automodel-store-cost-'));
  const store = await openUsageStore({ sqlitePath: join(directory, 'usage.db') });
  const perRound: number[] = [];
  let sequence = 0;
  try {
    // One unmeasured round: the statements get prepared and the code optimised, as in a gateway that has run a while.
    for (let round = 0; round <= rounds; round++) {
      const records = Array.from({ length: recordsPerRound }, () => routedRecord(sequence++, 1_790_000_000_000 + sequence));
      const started = process.cpuUsage();
      for (const record of records) await store.record(record);
      await store.flush();
      const used = process.cpuUsage(started);
      if (round > 0) perRound.push((used.user + used.system) / recordsPerRound);
    }
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
  const sorted = [...perRound].sort((left, right) => left - right);
  return { microsecondsPerRecord: sorted[Math.floor(sorted.length / 2)]!, rounds: perRound, recordsPerRound };
}
