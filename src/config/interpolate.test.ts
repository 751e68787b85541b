import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { interpolateString, interpolateTree } from './interpolate.js';

const env = { KEY: 'sk-123', EMPTY: '', PORT: '5000' };

describe('interpolateString', () => {
  const cases: Array<[string, string, string[]]> = [
    ['plain text', 'plain text', []],
    ['${KEY}', 'sk-123', []],
    ['Bearer ${KEY}!', 'Bearer sk-123!', []],
    ['${MISSING:-fallback}', 'fallback', []],
    ['${MISSING:-}', '', []],
    ['${EMPTY:-x}', 'x', []],
    ['${KEY:-x}', 'sk-123', []],
    ['${PORT}${PORT}', '50005000', []],
    ['$${KEY} costs $5', '${KEY} costs $5', []],
    ['${MISSING}', '', ['environment variable MISSING is not set: set it, or give a default with ${MISSING:-default} (${MISSING:-} for empty)']],
    ['${EMPTY}', '', ['environment variable EMPTY is empty: set it, or give a default with ${EMPTY:-default} (${EMPTY:-} for empty)']],
    ['${1BAD}', '', ["'${1BAD}' is not a variable reference: expected ${NAME} or ${NAME:-default}"]],
    ['${KEY', '${KEY', ["unclosed '${' in \"${KEY\" (write $${ for a literal ${)"]],
  ];
  for (const [input, value, problems] of cases) {
    it(`${input} → ${JSON.stringify(value)}`, () => {
      assert.deepEqual(interpolateString(input, env), { value, problems });
    });
  }

  it('never leaves an unset reference in the value as literal text', () => {
    assert.equal(interpolateString('${OPENAI_API_KEY}', {}).value.includes('${'), false);
  });
});

describe('interpolateTree', () => {
  it('resolves strings at any depth, leaves other values alone and reports paths', () => {
    const result = interpolateTree({ a: ['${KEY}', 3, true, null], b: { c: '${NOPE}' } }, env);
    assert.deepEqual(result.value, { a: ['sk-123', 3, true, null], b: { c: '' } });
    assert.deepEqual(result.errors.map((error) => error.path), [['b', 'c']]);
  });

  it('does not interpolate keys', () => {
    assert.deepEqual(interpolateTree({ '${KEY}': 'x' }, env).value, { '${KEY}': 'x' });
  });
});
