/**
 * The behaviour every usage-store backend must show, as one suite run against SQLite and PostgreSQL:
 * exact round trips, group commit, reports to the cent, request filters, retention, idempotent migrations.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { UsageStore, UsageStoreOptions, UsageSummaryRow } from '../../src/usage/store.js';
import { makeRecord, makeSparseRecord } from './fixtures.js';

/** How the suite opens stores on one backend. */
export interface StoreHarness {
  /** A store on a new, empty database. */
  openFresh(options?: Partial<UsageStoreOptions>): Promise<UsageStore>;
  /** A store on one persistent database that stays the same across calls (reopen tests). */
  openShared(): Promise<UsageStore>;
}

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 1);

function byKey(rows: UsageSummaryRow[], key: string | null): UsageSummaryRow {
  const row = rows.find((candidate) => candidate.key === key);
  assert.ok(row, `no summary row for ${String(key)}`);
  return row;
}

async function withStore<T>(opening: UsageStore | Promise<UsageStore>, body: (store: UsageStore) => Promise<T>): Promise<T> {
  const store = await opening;
  try {
    return await body(store);
  } finally {
    await store.close();
  }
}

export function runStoreContract(harness: StoreHarness): void {
  describe('round trip', () => {
    it('stores and reads back every field of a full and a sparse record', () =>
      withStore(harness.openFresh(), async (store) => {
        const full = makeRecord();
        const sparse = makeSparseRecord();
        await Promise.all([store.record(full), store.record(sparse)]);
        assert.deepEqual(await store.getRequest(full.id), full);
        assert.deepEqual(await store.getRequest(sparse.id), sparse);
        assert.equal(await store.getRequest('missing'), null);
      }),
    );

    it('ignores a second record with the same id', () =>
      withStore(harness.openFresh(), async (store) => {
        const first = makeRecord();
        await store.record(first);
        await store.record({ ...first, status: 500 });
        assert.equal((await store.getRequest(first.id))?.status, 200);
      }),
    );
  });

  describe('group commit', () => {
    it('writes records queued in the same tick in one transaction', async () => {
      const batches: number[] = [];
      await withStore(await harness.openFresh({ onBatchCommitted: (records) => batches.push(records) }), async (store) => {
        const records = Array.from({ length: 120 }, () => makeRecord());
        let acknowledged = 0;
        await Promise.all(records.map((record) => store.record(record).then(() => { acknowledged += 1; })));
        assert.equal(acknowledged, 120);
        assert.deepEqual(batches, [120]);
        await Promise.all([store.record(makeRecord()), store.record(makeRecord())]);
        await store.record(makeRecord());
        assert.deepEqual(batches, [120, 2, 1]);
        assert.equal((await store.summarize({ by: 'total' }))[0]?.requests, 123);
      });
    });

    it('rejects only the bad record of a batch', () =>
      withStore(harness.openFresh(), async (store) => {
        const good = makeRecord();
        const bad = makeRecord({ status: null as unknown as number });
        const results = await Promise.allSettled([store.record(good), store.record(bad)]);
        assert.equal(results[0]?.status, 'fulfilled');
        assert.equal(results[1]?.status, 'rejected');
        assert.ok(await store.getRequest(good.id));
        assert.equal(await store.getRequest(bad.id), null);
      }),
    );

    it('flushes on close and refuses records afterwards', async () => {
      const store = await harness.openShared();
      const record = makeRecord();
      const pending = store.record(record);
      await store.close();
      await pending;
      await assert.rejects(store.record(makeRecord()), /closed/);
      await withStore(await harness.openShared(), async (reopened) => {
        assert.deepEqual(await reopened.getRequest(record.id), record);
      });
    });
  });

  describe('migrations', () => {
    it('opening the same database twice keeps the schema and the data', async () => {
      const record = makeRecord();
      await withStore(await harness.openShared(), (store) => store.record(record));
      await withStore(await harness.openShared(), async (store) => {
        assert.deepEqual(await store.getRequest(record.id), record);
      });
    });
  });

  describe('reports', () => {
    // Hand-computed: code = A + B + E, plan = C, no mode = D (failed, unpriced).
    const records = [
      makeRecord({ id: 'A', time: T0 + 1_000, mode: 'code', costUsd: 0.0123, baselineCostUsd: 0.0615, inputTokens: 1000, outputTokens: 200, cacheReadTokens: 500, cacheWriteTokens: 100, reasoningTokens: 0 }),
      makeRecord({ id: 'B', time: T0 + 2_000, mode: 'code', costUsd: 0.2, baselineCostUsd: 1.0, inputTokens: 3000, outputTokens: 800, cacheReadTokens: 0, cacheWriteTokens: 0, reasoningTokens: 10 }),
      makeRecord({ id: 'C', time: T0 + DAY + 5, mode: 'plan', tier: 'reasoning', servedModel: 'claude-opus-4-5', costUsd: 0.75, baselineCostUsd: 0.75, inputTokens: 5000, outputTokens: 1000, cacheReadTokens: 2000, cacheWriteTokens: 0, reasoningTokens: 300 }),
      makeSparseRecord({ id: 'D', time: T0 + DAY + 10 }),
      makeRecord({ id: 'E', time: T0 + 2 * DAY, mode: 'code', costUsd: 0.1, baselineCostUsd: null, inputTokens: 10, outputTokens: 20, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null }),
    ];

    it('summarizes by mode to the cent, savings only where both costs are known', () =>
      withStore(harness.openFresh(), async (store) => {
        await Promise.all(records.map((record) => store.record(record)));
        const rows = await store.summarize({ by: 'mode' });
        assert.deepEqual(rows.map((row) => row.key), ['code', 'plan', null]);
        const code = byKey(rows, 'code');
        assert.equal(code.requests, 3);
        assert.equal(code.inputTokens, 4010);
        assert.equal(code.outputTokens, 1020);
        assert.equal(code.cacheReadTokens, 500);
        assert.equal(code.cacheWriteTokens, 100);
        assert.equal(code.reasoningTokens, 10);
        assert.equal(code.costUsd, 0.3123);
        assert.equal(code.baselineCostUsd, 1.0615);
        assert.equal(code.savingsUsd, 0.8492);
        assert.equal(code.savingsPct, 80);
        assert.equal(code.errors, 0);
        assert.equal(code.unpricedRequests, 0);
        const plan = byKey(rows, 'plan');
        assert.deepEqual([plan.costUsd, plan.savingsUsd, plan.savingsPct], [0.75, 0, 0]);
        const none = byKey(rows, null);
        assert.deepEqual(
          [none.requests, none.inputTokens, none.costUsd, none.baselineCostUsd, none.savingsUsd, none.savingsPct, none.errors, none.unpricedRequests],
          [1, null, null, null, null, null, 1, 1],
        );
        const [total] = await store.summarize({ by: 'total' });
        assert.deepEqual(
          total && [total.key, total.requests, total.costUsd, total.baselineCostUsd, total.savingsUsd, total.savingsPct, total.errors],
          ['total', 5, 1.0623, 1.8115, 0.8492, 46.88, 1],
        );
      }),
    );

    it('groups by day, model and tier within a time range', () =>
      withStore(harness.openFresh(), async (store) => {
        await Promise.all(records.map((record) => store.record(record)));
        const days = await store.summarize({ by: 'day' });
        assert.deepEqual(days.map((row) => [row.key, row.requests]), [['2026-11-01', 2], ['2026-11-02', 2], ['2026-11-03', 1]]);
        const models = await store.summarize({ by: 'model', since: T0 + DAY, until: T0 + 2 * DAY });
        assert.deepEqual(models.map((row) => [row.key, row.requests]).sort(), [['claude-opus-4-5', 1], [null, 1]].sort());
        const tiers = await store.summarize({ by: 'tier', since: T0 + 1_500 });
        assert.equal(byKey(tiers, 'implementation').requests, 2);
        assert.equal(byKey(tiers, 'reasoning').costUsd, 0.75);
        const empty = await store.summarize({ by: 'total', since: T0 + 10 * DAY });
        assert.deepEqual(empty.map((row) => [row.requests, row.costUsd, row.savingsPct]), [[0, null, null]]);
        assert.deepEqual(await store.summarize({ by: 'mode', since: T0 + 10 * DAY }), []);
      }),
    );

    it('lists requests newest first with mode, status, before and limit filters', () =>
      withStore(harness.openFresh(), async (store) => {
        await Promise.all(records.map((record) => store.record(record)));
        const ids = async (query: Parameters<UsageStore['listRequests']>[0]): Promise<string[]> =>
          (await store.listRequests(query)).map((record) => record.id);
        assert.deepEqual(await ids({}), ['E', 'D', 'C', 'B', 'A']);
        assert.deepEqual(await ids({ mode: 'code' }), ['E', 'B', 'A']);
        assert.deepEqual(await ids({ mode: null }), ['D']);
        assert.deepEqual(await ids({ status: 'error' }), ['D']);
        assert.deepEqual(await ids({ status: 'ok', limit: 2 }), ['E', 'C']);
        assert.deepEqual(await ids({ status: 502 }), ['D']);
        assert.deepEqual(await ids({ before: T0 + DAY + 10 }), ['C', 'B', 'A']);
        assert.deepEqual(await ids({ since: T0 + DAY }), ['E', 'D', 'C']);
        const listed = await store.listRequests({ mode: 'plan' });
        assert.deepEqual(listed, [records[2]]);
      }),
    );
  });

  describe('retention', () => {
    it('prune deletes records before the cutoff and returns how many', () =>
      withStore(harness.openFresh(), async (store) => {
        await Promise.all([
          store.record(makeRecord({ id: 'old-1', time: T0 - 100 * DAY })),
          store.record(makeRecord({ id: 'old-2', time: T0 - 91 * DAY })),
          store.record(makeRecord({ id: 'new', time: T0 })),
        ]);
        assert.equal(await store.prune(T0 - 90 * DAY), 2);
        assert.equal(await store.prune(T0 - 90 * DAY), 0);
        assert.deepEqual((await store.listRequests({})).map((record) => record.id), ['new']);
      }),
    );
  });
}
