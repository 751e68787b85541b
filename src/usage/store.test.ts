import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchWriter, retentionCutoff, scheduleRetention, storeOptionsFromEnv } from './store.js';
import type { UsageRecord } from './types.js';

const record = (id: string): UsageRecord => ({ id } as UsageRecord);

describe('storeOptionsFromEnv', () => {
  it('prefers an explicit database, then DATABASE_URL, then AUTOMODEL_DB, then ./automodel.db', () => {
    const env = { DATABASE_URL: 'postgres://db/usage', AUTOMODEL_DB: '/var/lib/a.db' };
    assert.deepEqual(storeOptionsFromEnv(env, 'x.db'), { sqlitePath: 'x.db' });
    assert.deepEqual(storeOptionsFromEnv(env, 'postgresql://other/db'), { databaseUrl: 'postgresql://other/db' });
    assert.deepEqual(storeOptionsFromEnv(env), { databaseUrl: 'postgres://db/usage' });
    assert.deepEqual(storeOptionsFromEnv({ AUTOMODEL_DB: '/var/lib/a.db' }), { sqlitePath: '/var/lib/a.db' });
    assert.deepEqual(storeOptionsFromEnv({ DATABASE_URL: '' }), { sqlitePath: './automodel.db' });
  });
});

describe('retention', () => {
  it('computes a 90-day cutoff by default', () => {
    assert.equal(retentionCutoff(100 * 86_400_000), 10 * 86_400_000);
    assert.equal(retentionCutoff(100 * 86_400_000, 7), 93 * 86_400_000);
  });

  it('prunes at once on schedule and stops', () => {
    const cutoffs: number[] = [];
    const stop = scheduleRetention({ prune: async (cutoff) => (cutoffs.push(cutoff), 0) }, { now: () => 91 * 86_400_000 });
    stop();
    assert.deepEqual(cutoffs, [86_400_000]);
  });
});

describe('BatchWriter', () => {
  it('commits one batch per tick, and the next batch after the one in flight', async () => {
    const batches: string[][] = [];
    let release: () => void = () => undefined;
    const writer = new BatchWriter(async (records) => {
      batches.push(records.map((item) => item.id));
      if (batches.length === 1) await new Promise<void>((resolve) => { release = resolve; });
    });
    const first = [writer.enqueue(record('a')), writer.enqueue(record('b'))];
    await new Promise((resolve) => setImmediate(resolve));
    // The first batch is in flight: these gather for the next one.
    const second = [writer.enqueue(record('c')), writer.enqueue(record('d'))];
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(batches, [['a', 'b']]);
    release();
    await Promise.all([...first, ...second]);
    assert.deepEqual(batches, [['a', 'b'], ['c', 'd']]);
  });

  it('flush writes what is queued without waiting for the tick', async () => {
    const batches: number[] = [];
    const writer = new BatchWriter((records) => { batches.push(records.length); });
    void writer.enqueue(record('a'));
    await writer.flush();
    assert.deepEqual(batches, [1]);
    await writer.close();
    await assert.rejects(writer.enqueue(record('b')), /closed/);
  });

  it('retries a failed batch record by record and rejects only the bad one', async () => {
    const errors: string[] = [];
    const writer = new BatchWriter(
      (records) => { if (records.some((item) => item.id === 'bad')) throw new Error('constraint'); },
      { logger: { warn: (_object, message) => errors.push(message), error: (_object, message) => errors.push(message) } },
    );
    const results = await Promise.allSettled([writer.enqueue(record('ok-1')), writer.enqueue(record('bad')), writer.enqueue(record('ok-2'))]);
    assert.deepEqual(results.map((result) => result.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.equal(errors.length, 2);
  });
});
