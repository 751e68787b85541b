/**
 * Migration 2: only the time index stays. Every report and the request list are bounded by time, so the time index is
 * the one they walk; the four (column, time) indexes of migration 1 made each insert update five b-trees besides the
 * primary key, and measured 20% of the batched insert's cost per record, for queries that read no faster with them at
 * the sizes a gateway keeps (90 days of requests).
 */
import type { Migration } from './index.js';

const drops = ['mode', 'model', 'tier', 'status'].map((column) => `DROP INDEX IF EXISTS usage_records_${column}_time;`).join('\n');

export const migration002: Migration = {
  version: 2,
  name: 'lean-indexes',
  sqlite: drops,
  postgres: drops,
};
