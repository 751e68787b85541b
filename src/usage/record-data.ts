/**
 * A usage record as one line of JSON text: what the journal writes for a request and what the store keeps in the `data`
 * column. One serialisation serves both, so recording a request encodes it once.
 *
 * The text is a JSON array of the record's fields in `RECORD_FIELDS` order, `attempts` and `detail` as the JSON values
 * they are. An array, not an object: half the bytes, and no keys to write. Fields are only ever appended to the order; a
 * reader fills fields missing from an older, shorter line with their defaults.
 *
 * `JSON.stringify` of the array, not a serialiser of our own: a hand-written one (plain strings concatenated between
 * quotes, the rest escaped) measured no faster, and slower once the write had to flatten its concatenated string.
 */
import type { AttemptRecord, UsageRecord } from './types.js';

/** The record's fields in the order a line holds them. Append only. */
export const RECORD_FIELDS = [
  'id', 'time', 'clientProtocol', 'route', 'clientName', 'sessionId', 'mode', 'modeSource', 'tier', 'requestedModel',
  'servedModel', 'provider', 'attempts', 'status', 'errorCode', 'inputTokens', 'outputTokens', 'cacheReadTokens',
  'cacheWriteTokens', 'reasoningTokens', 'tokensEstimated', 'costUsd', 'costSource', 'baselineCostUsd', 'ttfbMs',
  'durationMs', 'streamed', 'aborted', 'reason', 'detail',
] as const satisfies ReadonlyArray<keyof UsageRecord>;

const FIELD_INDEX = Object.fromEntries(RECORD_FIELDS.map((name, index) => [name, index])) as Record<(typeof RECORD_FIELDS)[number], number>;

/** The record as a line of JSON (no newline). `JSON.parse` of it gives the array `decodeRecord` reads. */
export function encodeRecord(record: UsageRecord): string {
  // Written out rather than mapped over RECORD_FIELDS: a literal array is built without a property lookup by name.
  return JSON.stringify([
    record.id, record.time, record.clientProtocol, record.route, record.clientName, record.sessionId, record.mode,
    record.modeSource, record.tier, record.requestedModel, record.servedModel, record.provider, record.attempts,
    record.status, record.errorCode, record.inputTokens, record.outputTokens, record.cacheReadTokens,
    record.cacheWriteTokens, record.reasoningTokens, record.tokensEstimated, record.costUsd, record.costSource,
    record.baselineCostUsd, record.ttfbMs, record.durationMs, record.streamed, record.aborted, record.reason,
    record.detail,
  ]);
}

/**
 * A parsed line back to its record. Also reads the lines of earlier versions: booleans as 0/1 and `attempts`/`detail` as
 * strings of JSON (journals written before the `data` column), and record objects (the first journals).
 */
export function decodeRecord(parsed: unknown): UsageRecord {
  if (!Array.isArray(parsed)) {
    if (parsed === null || typeof parsed !== 'object') throw new TypeError('a usage record line is a JSON array');
    return parsed as UsageRecord;
  }
  const field = (name: (typeof RECORD_FIELDS)[number]): unknown => parsed[FIELD_INDEX[name]] ?? null;
  const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
  const detail = json(field('detail'));
  return {
    id: String(field('id')),
    time: Number(field('time')),
    clientProtocol: field('clientProtocol') as UsageRecord['clientProtocol'],
    route: String(field('route') ?? ''),
    clientName: field('clientName') as string | null,
    sessionId: field('sessionId') as string | null,
    mode: field('mode') as string | null,
    modeSource: (field('modeSource') ?? 'default') as UsageRecord['modeSource'],
    tier: field('tier') as string | null,
    requestedModel: field('requestedModel') as string | null,
    servedModel: field('servedModel') as string | null,
    provider: field('provider') as string | null,
    attempts: (json(field('attempts')) ?? []) as AttemptRecord[],
    status: Number(field('status')),
    errorCode: field('errorCode') as string | null,
    inputTokens: field('inputTokens') as number | null,
    outputTokens: field('outputTokens') as number | null,
    cacheReadTokens: field('cacheReadTokens') as number | null,
    cacheWriteTokens: field('cacheWriteTokens') as number | null,
    reasoningTokens: field('reasoningTokens') as number | null,
    tokensEstimated: Boolean(field('tokensEstimated')),
    costUsd: field('costUsd') as number | null,
    costSource: (field('costSource') ?? 'unknown') as UsageRecord['costSource'],
    baselineCostUsd: field('baselineCostUsd') as number | null,
    ttfbMs: field('ttfbMs') as number | null,
    durationMs: Number(field('durationMs') ?? 0),
    streamed: Boolean(field('streamed')),
    aborted: Boolean(field('aborted')),
    reason: field('reason') as string | null,
    detail: detail === null ? null : (detail as Record<string, unknown>),
  };
}
