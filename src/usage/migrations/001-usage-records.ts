/**
 * Migration 1: the `usage_records` table, one row per answered request, and the indexes the reports use
 * (time range scans, grouped by mode / model / tier).
 *
 * Both dialects hold the same columns with the same meaning. Money is stored as a float in USD: sums over
 * many rows stay accurate to far below a cent, and an unknown cost stays NULL. `attempts` and `detail` are
 * JSON text in both backends, so a record round-trips exactly (JSONB would reorder keys).
 */
import type { Migration } from './index.js';

const columns = (types: { bigint: string; real: string; bool: string }): string => `
  id                  TEXT PRIMARY KEY,
  time                ${types.bigint} NOT NULL,
  client_protocol     TEXT NOT NULL,
  route               TEXT NOT NULL,
  client_name         TEXT,
  session_id          TEXT,
  mode                TEXT,
  mode_source         TEXT NOT NULL,
  tier                TEXT,
  requested_model     TEXT,
  served_model        TEXT,
  provider            TEXT,
  attempts            TEXT NOT NULL,
  status              INTEGER NOT NULL,
  error_code          TEXT,
  input_tokens        ${types.bigint},
  output_tokens       ${types.bigint},
  cache_read_tokens   ${types.bigint},
  cache_write_tokens  ${types.bigint},
  reasoning_tokens    ${types.bigint},
  tokens_estimated    ${types.bool} NOT NULL,
  cost_usd            ${types.real},
  cost_source         TEXT NOT NULL,
  baseline_cost_usd   ${types.real},
  ttfb_ms             ${types.real},
  duration_ms         ${types.real} NOT NULL,
  streamed            ${types.bool} NOT NULL,
  aborted             ${types.bool} NOT NULL,
  reason              TEXT,
  detail              TEXT`;

const indexes = `
CREATE INDEX usage_records_time ON usage_records (time);
CREATE INDEX usage_records_mode_time ON usage_records (mode, time);
CREATE INDEX usage_records_model_time ON usage_records (served_model, time);
CREATE INDEX usage_records_tier_time ON usage_records (tier, time);
CREATE INDEX usage_records_status_time ON usage_records (status, time);
`;

export const migration001: Migration = {
  version: 1,
  name: 'usage-records',
  sqlite: `CREATE TABLE usage_records (${columns({ bigint: 'INTEGER', real: 'REAL', bool: 'INTEGER' })}\n);\n${indexes}`,
  postgres: `CREATE TABLE usage_records (${columns({ bigint: 'BIGINT', real: 'DOUBLE PRECISION', bool: 'BOOLEAN' })}\n);\n${indexes}`,
};
