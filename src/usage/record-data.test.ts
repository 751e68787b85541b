import assert from 'node:assert/strict';
import { it } from 'node:test';
import { makeRecord, makeSparseRecord } from '../../test/usage/fixtures.js';
import { decodeRecord, encodeRecord, RECORD_FIELDS } from './record-data.js';
import type { UsageRecord } from './types.js';

/** The reference: the record's fields as an array, serialised by `JSON.stringify`. */
function reference(record: UsageRecord): string {
  return JSON.stringify(RECORD_FIELDS.map((field) => record[field]));
}

it('is the record\'s fields as a JSON array in RECORD_FIELDS order, and reads back to the record', () => {
  for (const record of [makeRecord(), makeSparseRecord()]) {
    assert.equal(encodeRecord(record), reference(record));
    assert.deepEqual(decodeRecord(JSON.parse(encodeRecord(record))), record);
  }
});

it('round-trips text JSON must escape: quotes, backslashes, control characters, non-ASCII', () => {
  const awkward = 'say "hi"\\ \n\t\u0000 é → ü 😀 end';
  const record = makeRecord({
    clientName: awkward,
    reason: awkward,
    attempts: [{ provider: awkward, model: 'm"1', status: null, failureClass: 'net\\work', durationMs: 0.1 + 0.2 }],
    detail: { text: awkward },
  });
  assert.deepEqual(decodeRecord(JSON.parse(encodeRecord(record))), record);
});

it('reads a line written before fields were added, with their defaults', () => {
  const record = makeRecord();
  const short = JSON.parse(encodeRecord(record)) as unknown[];
  short.length = RECORD_FIELDS.indexOf('reason');
  const decoded = decodeRecord(short);
  assert.equal(decoded.id, record.id);
  assert.equal(decoded.reason, null);
  assert.equal(decoded.detail, null);
});

it('reads the record objects the first journals held, and rejects what is neither', () => {
  const record = makeRecord();
  assert.deepEqual(decodeRecord(JSON.parse(JSON.stringify(record))), record);
  assert.throws(() => decodeRecord(42), /JSON array/);
});
