import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildRequestsQuery, buildSummaryQuery, parseSince, POSTGRES_DIALECT, roundUsd, SQLITE_DIALECT, toSummaryRow } from './report.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);

describe('parseSince', () => {
  const cases: Array<[string, number | null]> = [
    ['7d', NOW - 7 * 86_400_000],
    ['24h', NOW - 24 * 3_600_000],
    ['30m', NOW - 30 * 60_000],
    ['90s', NOW - 90_000],
    ['2w', NOW - 14 * 86_400_000],
    ['1.5h', NOW - 5_400_000],
    [' 7D ', NOW - 7 * 86_400_000],
    ['now', NOW],
    ['2026-11-01', Date.UTC(2026, 10, 1)],
    ['2026-11-01T12:30:00Z', Date.UTC(2026, 10, 1, 12, 30)],
    ['2026-11-01T12:30:00+02:00', Date.UTC(2026, 10, 1, 10, 30)],
    ['2026-11-01 12:30:00Z', Date.UTC(2026, 10, 1, 12, 30)],
    ['1764000000000', 1_764_000_000_000],
    ['', null],
    ['7', null],
    ['d', null],
    ['-7d', null],
    ['7 days', null],
    ['yesterday', null],
    ['2026-13-45', null],
    ['2026-11-01T99:00:00Z', null],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${String(expected)}`, () => assert.equal(parseSince(text, NOW), expected));
  }
});

describe('summary and requests SQL', () => {
  it('uses each dialect’s placeholders and day expression', () => {
    const sqlite = buildSummaryQuery(SQLITE_DIALECT, { by: 'day', since: 1, until: 2 });
    assert.match(sqlite.sql, /time >= \? AND time < \?/);
    assert.match(sqlite.sql, /strftime/);
    assert.deepEqual(sqlite.params, [1, 2]);
    const postgres = buildSummaryQuery(POSTGRES_DIALECT, { by: 'mode', since: 1, until: 2 });
    assert.match(postgres.sql, /time >= \$1 AND time < \$2/);
    assert.match(postgres.sql, /GROUP BY 1 ORDER BY 2 DESC, mode IS NULL, 1 ASC/);
    assert.doesNotMatch(buildSummaryQuery(POSTGRES_DIALECT, { by: 'total' }).sql, /GROUP BY|WHERE/);
  });

  it('clamps the requests limit and numbers parameters in order', () => {
    const built = buildRequestsQuery(POSTGRES_DIALECT, ['id'], { mode: 'code', status: 500, before: 9, limit: 5_000 });
    assert.equal(built.sql, 'SELECT id FROM usage_records WHERE mode = $1 AND status = $2 AND time < $3 ORDER BY time DESC, id DESC LIMIT $4');
    assert.deepEqual(built.params, ['code', 500, 9, 1000]);
    assert.deepEqual(buildRequestsQuery(SQLITE_DIALECT, ['id'], { limit: 0 }).params, [1]);
    assert.deepEqual(buildRequestsQuery(SQLITE_DIALECT, ['id'], {}).params, [50]);
  });
});

describe('summary rows', () => {
  it('turns driver text into numbers, keeps unknown sums null and rounds money', () => {
    const row = toSummaryRow({
      key: 'code', requests: '3', input_tokens: '4010', output_tokens: 1020, cache_read_tokens: null,
      cache_write_tokens: null, reasoning_tokens: null, cost_usd: 0.1 + 0.2, baseline_cost_usd: 1.2,
      savings_usd: 0.9, comparable_baseline_usd: 1.2, errors: '1', unpriced_requests: 0,
    });
    assert.deepEqual(row, {
      key: 'code', requests: 3, inputTokens: 4010, outputTokens: 1020, cacheReadTokens: null, cacheWriteTokens: null,
      reasoningTokens: null, costUsd: 0.3, baselineCostUsd: 1.2, savingsUsd: 0.9, savingsPct: 75, errors: 1, unpricedRequests: 0,
    });
    assert.equal(roundUsd(null), null);
    assert.equal(toSummaryRow({ key: null, requests: 0, savings_usd: null, comparable_baseline_usd: null }).savingsPct, null);
    assert.equal(toSummaryRow({ key: 'x', requests: 1, savings_usd: 0, comparable_baseline_usd: 0 }).savingsPct, null);
  });
});
