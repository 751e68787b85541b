import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientBody } from './client-body.js';

const text = '{"model":"kilo/auto","messages":[{"role":"user","content":"hi"}],"stream":true}';

describe('ClientBody.dropParsed', () => {
  it('lets go of the parsed object; the next use parses the same body again', () => {
    const body = ClientBody.parse(Buffer.from(text));
    const first = body.json;
    body.dropParsed();
    const second = body.json;
    assert.notEqual(second, first);
    assert.deepEqual(second, first);
    assert.equal(body.field('stream'), true);
    assert.equal(body.has('messages'), true);
  });

  it('keeps a replaced body (per-mode overrides live only in the object)', () => {
    const body = ClientBody.parse(Buffer.from(text));
    body.replace({ ...body.json, reasoning_effort: 'high' });
    body.dropParsed();
    assert.equal(body.json.reasoning_effort, 'high');
    assert.match(String(body.withEdits({ replace: { model: '"claude-opus-4-5"' } })), /"reasoning_effort":"high"/);
  });
});
