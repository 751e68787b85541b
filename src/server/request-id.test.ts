import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requestId } from './request-id.js';

describe('requestId', () => {
  it('is a UUIDv7 whose first 48 bits are the time in milliseconds', () => {
    const now = Date.UTC(2026, 10, 26, 14, 0, 0, 123);
    const id = requestId(now);
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), now);
  });
  it('writes every 48-bit time exactly, across the 16- and 32-bit boundaries', () => {
    for (const time of [0, 1, 0xffff, 0x1_0000, 0xffff_ffff, 0x1_0000_0000, 0x1_0000_ffff, 2 ** 48 - 1, Date.UTC(2100, 0, 1)]) {
      const id = requestId(time);
      assert.equal(Number.parseInt(id.slice(0, 8) + id.slice(9, 13), 16), time, `time ${time}: ${id}`);
      assert.equal(id.slice(14, 15), '7');
    }
  });
  it('sorts by time as text, and never repeats', () => {
    const ids = Array.from({ length: 2000 }, (_, index) => requestId(1_795_000_000_000 + Math.floor(index / 10)));
    assert.equal(new Set(ids).size, ids.length);
    const times = ids.map((id) => id.slice(0, 13));
    assert.deepEqual([...times].sort(), times);
  });
});
