import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ERROR_CODES } from '../src/errors.js';

it('docs/errors.md documents exactly the codes in ERROR_CODES, with the same status and types', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  const rows = new Map<string, string[]>();
  for (const line of doc.split('\n')) {
    const match = /^\| `([a-z_]+)` \| (\d+) \| (\w+) \| (\w+) \| (.+) \|$/.exec(line);
    if (match) rows.set(match[1]!, match.slice(2));
  }
  assert.deepEqual([...rows.keys()].sort(), Object.keys(ERROR_CODES).sort());
  for (const [code, spec] of Object.entries(ERROR_CODES)) {
    assert.deepEqual(rows.get(code), [String(spec.status), spec.openaiType, spec.anthropicType, spec.description], code);
  }
});
