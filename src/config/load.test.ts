import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_VIRTUAL_MODEL } from './defaults.js';
import { parseConfigText, type LoadResult } from './load.js';
import { formatProblem } from './problems.js';

const ENV = { ANTHROPIC_API_KEY: 'sk-ant', OPENROUTER_API_KEY: 'sk-or' };

function load(text: string, env: Record<string, string | undefined> = ENV): LoadResult {
  return parseConfigText(text, { env, path: '/tmp/automodel.yaml', displayPath: 'automodel.yaml' });
}

function compiled(text: string, env?: Record<string, string | undefined>) {
  const result = load(text, env);
  assert.equal(result.ok, true, result.problems.map((problem) => formatProblem(problem)).join('\n'));
  return result.config!;
}

/** Error and warning lines, as `config check` prints them. */
function lines(text: string, env?: Record<string, string | undefined>): string[] {
  return load(text, env).problems.filter((problem) => problem.severity !== 'info').map((problem) => formatProblem(problem));
}

describe('config sections', () => {
  it('an empty file is the zero config, providers from the environment', () => {
    const config = compiled('');
    assert.deepEqual(config.server, { host: '127.0.0.1', port: 4100, bodyLimitBytes: 10 * 1024 * 1024, auth: { keys: [] } });
    assert.deepEqual(config.providers.map((provider) => provider.id), ['anthropic', 'openrouter']);
    assert.equal(config.virtualModels.get('auto'), config.virtualModels.get('kilo/auto'));
    assert.deepEqual(config.virtualModels.get('kilo/auto')!.modes, DEFAULT_VIRTUAL_MODEL.modes);
    assert.deepEqual(config.inference, { enabled: true, threshold: 0.6 });
    assert.deepEqual(config.store, { sqlitePath: null, databaseUrl: null });
    assert.deepEqual(config.retention, { days: 90 });
    assert.deepEqual(config.fallback, { crossTiers: false, retries: 2, breaker: { failureThreshold: 5, cooldownMs: 30_000 } });
    assert.equal(config.sourcePath, '/tmp/automodel.yaml');
  });

  it('server: host, port from ${PORT}, body limit in units, auth keys (empty ones dropped)', () => {
    const config = compiled('server:\n  host: 0.0.0.0\n  port: ${PORT:-4200}\n  bodyLimit: 512kb\n  auth:\n    keys: ["${GATEWAY_KEY}", "${SPARE:-}"]\n', { ...ENV, GATEWAY_KEY: 'gw-1' });
    assert.deepEqual(config.server, { host: '0.0.0.0', port: 4200, bodyLimitBytes: 512 * 1024, auth: { keys: ['gw-1'] } });
  });

  it('providers: types, default base URLs, /v1 added for Anthropic, headers, timeouts, model maps; keyless ones skipped', () => {
    const config = compiled(`
providers:
  claude:
    type: anthropic
    baseUrl: https://proxy.example.test/
    apiKey: \${ANTHROPIC_API_KEY}
    timeouts: { connectMs: 2000 }
  router:
    type: openrouter
    apiKey: \${OPENROUTER_API_KEY}
    headers: { x-title: Team }
  openai:
    type: openai
    apiKey: \${OPENAI_API_KEY:-}
  ollama:
    type: openai-compatible
    baseUrl: http://127.0.0.1:11434/v1
    models: { local-coder: "qwen2.5-coder:7b" }
models:
  local-coder: { contextWindow: 32768, prices: { input: 0, output: 0 } }
`);
    assert.deepEqual(
      config.providers.map((provider) => [provider.id, provider.type, provider.baseUrl, provider.apiKey]),
      [
        ['claude', 'anthropic', 'https://proxy.example.test/v1', 'sk-ant'],
        ['router', 'openrouter', 'https://openrouter.ai/api/v1', 'sk-or'],
        ['ollama', 'openai-compatible', 'http://127.0.0.1:11434/v1', null],
      ],
    );
    assert.deepEqual(config.providers[0]!.timeouts, { connectMs: 2000, firstByteMs: 600_000, streamFirstByteMs: 60_000, idleMs: 120_000 });
    assert.deepEqual(config.providers[1]!.headers, { 'x-title': 'Team' });
    assert.deepEqual(config.providers[2]!.models, { 'local-coder': 'qwen2.5-coder:7b' });
  });

  it('models: a built-in one overridden field by field, a new one added with defaults', () => {
    const config = compiled('models:\n  claude-opus-4-5:\n    prices: { input: 4 }\n    contextWindow: 1000000\n  local-coder:\n    contextWindow: 32768\n    prices: { input: 0, output: 0 }\n');
    const opus = config.catalog.find('anthropic/claude-opus-4.5')!;
    assert.deepEqual([opus.prices, opus.contextWindow, opus.name], [{ input: 4, output: 25, cacheRead: 0.5, cacheWrite: 6.25 }, 1_000_000, 'Claude Opus 4.5']);
    const local = config.catalog.find('local-coder')!;
    assert.deepEqual([local.name, local.maxOutputTokens, local.prices, local.inputModalities], ['local-coder', 32768, { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 }, ['text']]);
  });

  it('virtualModels: kilo/auto kept first, a second model added with its tiers, modes and overrides', () => {
    const config = compiled(`
virtualModels:
  auto/budget:
    aliases: [budget]
    tiers:
      implementation: [claude-sonnet-4-5, claude-haiku-4-5]
    modes: { Plan: implementation, architect: implementation }
    overrides:
      PLAN: { max_tokens: 8000, reasoning_effort: low }
`);
    assert.deepEqual([...config.virtualModels.keys()], ['kilo/auto', 'auto', 'auto/budget', 'budget']);
    const budget = config.virtualModels.get('budget')!;
    assert.deepEqual(budget.modes, { plan: 'implementation', architect: 'implementation' });
    assert.deepEqual(budget.overrides, { plan: { max_tokens: 8000, reasoning_effort: 'low' } });
    assert.equal(budget.defaultTier, 'implementation');
    assert.equal(budget.baselineTier, 'implementation');
  });

  it('virtualModels: kilo/auto can be redefined', () => {
    const config = compiled('virtualModels:\n  kilo/auto:\n    aliases: [auto]\n    tiers: { reasoning: [claude-opus-5-5], implementation: [claude-sonnet-5-5] }\n    modes: { review: reasoning }\n');
    const auto = config.virtualModels.get('auto')!;
    assert.deepEqual([auto.tiers, auto.modes, auto.baselineTier], [{ reasoning: ['claude-opus-5-5'], implementation: ['claude-sonnet-5-5'] }, { review: 'reasoning' }, 'reasoning']);
    assert.equal(config.virtualModels.size, 2);
  });

  it('inference, store, retention and fallback', () => {
    const config = compiled(`
inference: { enabled: false, threshold: 0.8 }
store: { sqlitePath: /var/lib/automodel.db, databaseUrl: "\${DATABASE_URL:-}" }
retention: { days: 30 }
fallback: { crossTiers: true, retries: 2, breaker: { failureThreshold: 3 } }
`);
    assert.deepEqual(config.inference, { enabled: false, threshold: 0.8 });
    assert.deepEqual(config.store, { sqlitePath: '/var/lib/automodel.db', databaseUrl: null });
    assert.deepEqual(config.retention, { days: 30 });
    assert.deepEqual(config.fallback, { crossTiers: true, retries: 2, breaker: { failureThreshold: 3, cooldownMs: 30_000 } });
  });
});

describe('config errors: file, line, path, expected and found', () => {
  const cases: Array<[string, string, string[]]> = [
    ['unknown key, with a suggestion', 'server:\n  prot: 4100\n', [
      "automodel.yaml:2:3 error server.prot: unknown key 'prot'; did you mean 'port'? (expected one of: host, port, bodyLimit, auth)",
    ]],
    ['unknown top-level key', 'tiers: {}\n', [
      "automodel.yaml:1:1 error tiers: unknown key 'tiers' (expected one of: $schema, server, providers, models, virtualModels, inference, store, retention, fallback)",
    ]],
    ['wrong type', 'inference:\n  enabled: "yes"\n', ['automodel.yaml:2:12 error inference.enabled: expected true or false, found string "yes"']],
    ['out of range', 'inference:\n  threshold: 1.5\n', ['automodel.yaml:2:14 error inference.threshold: expected a number from 0 to 1, found number 1.5']],
    ['bad port', 'server:\n  port: http\n', ['automodel.yaml:2:9 error server.port: expected a port number 0-65535, found string "http"']],
    ['bad enum', 'providers:\n  x:\n    type: azure\n    apiKey: k\n', [
      'automodel.yaml:3:11 error providers.x.type: expected one of anthropic, openai, openrouter, openai-compatible, found string "azure"',
    ]],
    ['missing required key', 'virtualModels:\n  auto/budget:\n    modes: {}\n', [
      'automodel.yaml:2:3 error virtualModels["auto/budget"].tiers: expected a mapping of tier name to a list of model ids, found nothing (this key is required)',
    ]],
    ['unset variable', 'providers:\n  anthropic:\n    type: anthropic\n    apiKey: ${ANTHROPIC_KEY}\n', [
      'automodel.yaml:4:13 error providers.anthropic.apiKey: environment variable ANTHROPIC_KEY is not set: set it, or give a default with ${ANTHROPIC_KEY:-default} (${ANTHROPIC_KEY:-} for empty)',
    ]],
    ['tier names an unknown model', 'virtualModels:\n  auto/budget:\n    tiers:\n      implementation:\n        - claude-sonnet-4-5\n        - claude-sonet-4-5\n', [
      "automodel.yaml:6:11 error virtualModels[\"auto/budget\"].tiers.implementation[1]: tier 'implementation' names unknown model 'claude-sonet-4-5' (not in the catalog; did you mean 'claude-sonnet-4-5'? Or add it under models:)",
    ]],
    ['mode maps to an unknown tier', 'virtualModels:\n  auto/budget:\n    tiers: { implementation: [claude-haiku-4-5] }\n    modes: { plan: reasoning }\n', [
      "automodel.yaml:4:20 error virtualModels[\"auto/budget\"].modes.plan: mode 'plan' maps to unknown tier 'reasoning' (tiers: 'implementation')",
    ]],
    ['default tier missing', 'virtualModels:\n  auto/budget:\n    tiers: { cheap: [claude-haiku-4-5] }\n', [
      "automodel.yaml:2:3 error virtualModels[\"auto/budget\"].defaultTier: defaultTier 'implementation' is not one of the tiers ('cheap')",
    ]],
    ['alias taken', 'virtualModels:\n  auto/budget:\n    aliases: [auto]\n    tiers: { implementation: [claude-haiku-4-5] }\n', [
      "automodel.yaml:3:15 error virtualModels[\"auto/budget\"].aliases[0]: 'auto' is already the name of virtual model 'kilo/auto'",
    ]],
    ['new model without its figures', 'models:\n  local-coder:\n    name: Local\n', [
      "automodel.yaml:2:3 error models.local-coder.contextWindow: 'local-coder' is not a built-in model, so contextWindow is required (use 0 for a local model's prices)",
      "automodel.yaml:2:3 error models.local-coder.prices.input: 'local-coder' is not a built-in model, so prices.input is required (use 0 for a local model's prices)",
      "automodel.yaml:2:3 error models.local-coder.prices.output: 'local-coder' is not a built-in model, so prices.output is required (use 0 for a local model's prices)",
    ]],
    ['openai-compatible without a base URL', 'providers:\n  local:\n    type: openai-compatible\n', [
      'automodel.yaml:1:1 warning providers: No upstream provider is configured: set ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY (and *_BASE_URL for another endpoint). Requests are answered with a 503 until then.',
      'automodel.yaml:2:3 error providers.local.baseUrl: expected baseUrl for an openai-compatible provider (e.g. http://127.0.0.1:11434/v1), found nothing',
    ]],
    ['bad key name', 'providers:\n  "my provider":\n    type: openai\n    apiKey: k\n', [
      "automodel.yaml:2:3 error providers[\"my provider\"]: expected a provider id: letters, digits and . _ : / - (starting with a letter or digit), found key 'my provider'",
    ]],
    ['YAML syntax', 'server:\n  port: [4100\n', ['automodel.yaml:3:1 error YAML: Flow sequence in block collection must be sufficiently indented and end with a ]']],
    ['duplicate key', 'server:\n  port: 1\n  port: 2\n', ['automodel.yaml:3:3 error YAML: Map keys must be unique']],
    ['top level not a mapping', '- a\n- b\n', ['automodel.yaml:1:1 error expected a mapping of settings (server:, providers:, …) at the top level']],
  ];
  for (const [name, text, expected] of cases) {
    it(name, () => {
      const result = load(text);
      assert.equal(result.ok, false);
      assert.equal(result.config, null);
      assert.deepEqual(lines(text), expected);
    });
  }

  it('reports several errors at once, in file order', () => {
    const text = 'server:\n  port: -1\n  hots: x\ninference:\n  threshold: 7\nproviders:\n  a:\n    type: anthropic\n    apiKey: ${NOPE}\n';
    assert.deepEqual(
      lines(text).map((line) => line.split(' error ')[0]),
      ['automodel.yaml:2:9', 'automodel.yaml:3:3', 'automodel.yaml:5:14', 'automodel.yaml:9:13'],
    );
  });

  it('warnings do not fail the load', () => {
    const result = load('virtualModels:\n  auto/budget:\n    tiers: { implementation: [claude-haiku-4-5] }\n    overrides: { plan: { max_tokens: 1 } }\n');
    assert.equal(result.ok, true);
    assert.deepEqual(lines('virtualModels:\n  auto/budget:\n    tiers: { implementation: [claude-haiku-4-5] }\n    overrides: { plan: { max_tokens: 1 } }\n'), [
      "automodel.yaml:4:18 warning virtualModels[\"auto/budget\"].overrides.plan: overrides for mode 'plan', which is not in modes (it still applies when a request names that mode)",
    ]);
  });

  it('overrides may not set stream, model or messages (the gateway owns them), pointing at the field', () => {
    const text = 'virtualModels:\n  kilo/auto:\n    tiers: { implementation: [claude-sonnet-4-5] }\n    modes: { plan: implementation }\n    overrides:\n      plan: { stream: false, model: gpt-4o, max_tokens: 9 }\n';
    assert.equal(load(text).ok, false);
    assert.deepEqual(lines(text), [
      "automodel.yaml:6:23 error virtualModels[\"kilo/auto\"].overrides.plan.stream: overrides cannot set 'stream': the client chooses streaming (an override would make the gateway read the answer in the wrong shape)",
      "automodel.yaml:6:37 error virtualModels[\"kilo/auto\"].overrides.plan.model: overrides cannot set 'model': the gateway sets the routed model (map the mode to a tier instead)",
    ]);
  });

  it('no provider at all is a warning, pointing at providers:', () => {
    assert.deepEqual(lines('providers:\n  anthropic:\n    type: anthropic\n    apiKey: ${ANTHROPIC_API_KEY:-}\n', {}), [
      'automodel.yaml:1:1 warning providers: No upstream provider is configured: set ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY (and *_BASE_URL for another endpoint). Requests are answered with a 503 until then.',
    ]);
  });
});
