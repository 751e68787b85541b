/**
 * Usage records for tests: `makeRecord()` fills every field with a non-default value, so a round trip
 * through a store proves each column is written and read back.
 */
import type { UsageRecord } from '../../src/usage/types.js';

let sequence = 0;

/** A fully populated record; override any field. Ids are unique per process. */
export function makeRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  sequence += 1;
  return {
    id: `req_${process.pid}_${sequence}`,
    time: Date.UTC(2026, 10, 20, 12, 0, 0) + sequence,
    clientProtocol: 'anthropic-messages',
    route: '/v1/messages',
    clientName: 'kilo-code',
    sessionId: 'task-42',
    mode: 'code',
    modeSource: 'header',
    tier: 'implementation',
    requestedModel: 'kilo/auto',
    servedModel: 'claude-sonnet-4-5',
    provider: 'anthropic',
    attempts: [
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 529, failureClass: 'overloaded', durationMs: 12.5 },
      { provider: 'anthropic', model: 'claude-sonnet-4-5', status: 200, failureClass: null, durationMs: 830 },
    ],
    status: 200,
    errorCode: null,
    inputTokens: 12_345,
    outputTokens: 678,
    cacheReadTokens: 10_000,
    cacheWriteTokens: 1_200,
    reasoningTokens: 64,
    tokensEstimated: false,
    costUsd: 0.0123456,
    costSource: 'catalog',
    baselineCostUsd: 0.0617283,
    ttfbMs: 245.75,
    durationMs: 1834.5,
    streamed: true,
    aborted: false,
    reason: 'x-kilocode-mode: code → implementation tier',
    detail: { diagnostics: ['fallback after overloaded'], evidence: { header: 'code' }, nested: [1, 'two', null] },
    ...overrides,
  };
}

/** A record with every nullable field null and every boolean flipped. */
export function makeSparseRecord(overrides: Partial<UsageRecord> = {}): UsageRecord {
  return makeRecord({
    clientProtocol: 'openai-chat',
    route: '/v1/chat/completions',
    clientName: null,
    sessionId: null,
    mode: null,
    modeSource: 'default',
    tier: null,
    requestedModel: null,
    servedModel: null,
    provider: null,
    attempts: [],
    status: 502,
    errorCode: 'upstream_unavailable',
    inputTokens: null,
    outputTokens: null,
    cacheReadTokens: null,
    cacheWriteTokens: null,
    reasoningTokens: null,
    tokensEstimated: true,
    costUsd: null,
    costSource: 'unknown',
    baselineCostUsd: null,
    ttfbMs: null,
    durationMs: 3,
    streamed: false,
    aborted: true,
    reason: null,
    detail: null,
    ...overrides,
  });
}

/** The columns of schema versions 1 and 2, before the record moved into `data` (migration 3). */
export const VERSION_2_COLUMNS = [
  'id', 'time', 'client_protocol', 'route', 'client_name', 'session_id', 'mode', 'mode_source', 'tier',
  'requested_model', 'served_model', 'provider', 'attempts', 'status', 'error_code', 'input_tokens',
  'output_tokens', 'cache_read_tokens', 'cache_write_tokens', 'reasoning_tokens', 'tokens_estimated',
  'cost_usd', 'cost_source', 'baseline_cost_usd', 'ttfb_ms', 'duration_ms', 'streamed', 'aborted', 'reason', 'detail',
] as const;

/** A record as a version-2 row (`VERSION_2_COLUMNS` order), with booleans as `bool` maps them for the backend. */
export function version2Row<B>(record: UsageRecord, bool: (value: boolean) => B): unknown[] {
  return [
    record.id, record.time, record.clientProtocol, record.route, record.clientName, record.sessionId, record.mode,
    record.modeSource, record.tier, record.requestedModel, record.servedModel, record.provider,
    JSON.stringify(record.attempts), record.status, record.errorCode, record.inputTokens, record.outputTokens,
    record.cacheReadTokens, record.cacheWriteTokens, record.reasoningTokens, bool(record.tokensEstimated),
    record.costUsd, record.costSource, record.baselineCostUsd, record.ttfbMs, record.durationMs, bool(record.streamed),
    bool(record.aborted), record.reason, record.detail === null ? null : JSON.stringify(record.detail),
  ];
}

/** Records that exercise the migration to `data`: every field set, every nullable field null, awkward text. */
export function migrationRecords(): UsageRecord[] {
  return [
    makeRecord({ id: 'migrated-full', costUsd: 0.1 + 0.2, durationMs: 830 }),
    makeSparseRecord({ id: 'migrated-sparse' }),
    makeRecord({
      id: 'migrated-text',
      clientName: 'say "hi" \\ é → 😀',
      reason: 'line\nbreak\ttab',
      detail: { evidence: { text: 'ü "quoted"' }, list: [1.5, null, true] },
      tokensEstimated: true,
      streamed: false,
      aborted: true,
    }),
  ];
}
