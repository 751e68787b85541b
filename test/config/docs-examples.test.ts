/** Every YAML example in docs/configuration.md and docs/recipes/ must load without an error. */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseConfigText } from '../../src/config/load.js';
import { formatProblem } from '../../src/config/problems.js';

const pages = ['docs/configuration.md', ...readdirSync('docs/recipes').map((name) => join('docs/recipes', name))];

describe('YAML examples in the docs', () => {
  for (const page of pages) {
    const blocks = [...readFileSync(page, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)].map((match) => match[1]!);
    blocks.forEach((block, index) => {
      it(`${page} example ${index + 1} is valid`, () => {
        const result = parseConfigText(block, { env: { ANTHROPIC_API_KEY: 'sk-ant' }, path: page });
        assert.equal(result.ok, true, result.problems.map((problem) => formatProblem(problem)).join('\n'));
      });
    });
  }
});
