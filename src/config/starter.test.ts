import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide } from '../router/decide.js';
import type { CompiledConfig } from './compiled.js';
import { IMPLEMENTATION_MODES, REASONING_MODES } from './defaults.js';
import { parseConfigText, zeroConfig } from './load.js';
import { formatProblem } from './problems.js';
import { configJsonSchema } from './schema.js';
import { STARTER_CONFIG } from './starter.js';

const ENVIRONMENTS: Array<[string, Record<string, string | undefined>]> = [
  ['no key', {}],
  ['Anthropic key', { ANTHROPIC_API_KEY: 'sk-ant' }],
  ['OpenRouter key', { OPENROUTER_API_KEY: 'sk-or' }],
  ['every key, Anthropic base URL without /v1', { ANTHROPIC_API_KEY: 'a', OPENROUTER_API_KEY: 'b', OPENAI_API_KEY: 'c', ANTHROPIC_BASE_URL: 'http://127.0.0.1:9/' }],
];

const MODES: Array<string | undefined> = [...REASONING_MODES, ...IMPLEMENTATION_MODES, undefined, 'my-custom-mode', ' PLAN '];

function routes(config: CompiledConfig): unknown[] {
  const results: unknown[] = [];
  for (const model of ['kilo/auto', 'auto', 'claude-opus-4-5', 'anthropic/claude-sonnet-4.5']) {
    for (const mode of MODES) {
      results.push(decide({ protocol: 'openai-chat', requestedModel: model, kilocodeModeHeader: mode, now: 0 }, config));
    }
  }
  return results;
}

describe('config init starter file', () => {
  for (const [name, env] of ENVIRONMENTS) {
    it(`routes exactly like zero config (${name})`, () => {
      const starter = parseConfigText(STARTER_CONFIG, { env, path: 'automodel.yaml' });
      assert.equal(starter.ok, true, starter.problems.map((problem) => formatProblem(problem)).join('\n'));
      const zero = zeroConfig({ env }).config!;
      const config = starter.config!;
      assert.deepEqual(routes(config), routes(zero));
      assert.deepEqual(config.providers, zero.providers);
      assert.deepEqual(config.server, zero.server);
      assert.deepEqual(config.inference, zero.inference);
      assert.deepEqual(config.catalog.models, zero.catalog.models);
      const auto = config.virtualModels.get('kilo/auto')!;
      const seed = zero.virtualModels.get('kilo/auto')!;
      assert.deepEqual({ ...auto, overrides: undefined }, { ...seed, overrides: undefined });
      assert.deepEqual([...config.virtualModels.keys()], [...zero.virtualModels.keys()]);
      assert.deepEqual(config.diagnostics, zero.diagnostics);
    });
  }

  it('takes the port from PORT like zero config does', () => {
    assert.equal(parseConfigText(STARTER_CONFIG, { env: { PORT: '4999' }, path: null }).config!.server.port, 4999);
  });
});

describe('JSON Schema', () => {
  it('describes the file: strict objects, defaults optional, the sections present', () => {
    const schema = configJsonSchema() as { type: string; additionalProperties: boolean; properties: Record<string, unknown>; required?: string[] };
    assert.equal(schema.type, 'object');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(Object.keys(schema.properties), ['$schema', 'server', 'providers', 'models', 'virtualModels', 'inference', 'store', 'retention', 'fallback']);
    assert.equal(schema.required, undefined);
    const server = schema.properties.server as { properties: Record<string, { default?: unknown }> };
    assert.equal(server.properties.port!.default, 4100);
  });
});
