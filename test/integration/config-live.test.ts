/**
 * The config file end to end, through a real gateway on a loopback port and the mock upstream: providers and `${VAR}` keys
 * from the file, custom modes, a second virtual model, per-mode overrides, inference on/off, cross-tier fallback,
 * gateway keys (and that they never leak), the `config init` starter against zero config, and hot reload.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { pino, type Logger } from 'pino';
import { createConfigCommand } from '../../src/cli/commands/config.js';
import { IMPLEMENTATION_MODES, REASONING_MODES } from '../../src/config/defaults.js';
import { ConfigLoadError, startGateway, type GatewayOptions, type RunningGateway } from '../../src/main.js';
import { startGatewayWithMock, type GatewayUnderTest } from '../helpers/gateway.js';
import { startMockUpstream, type MockUpstream } from '../mock-upstream/index.js';

const root = mkdtempSync(join(tmpdir(), 'automodel-config-live-'));
after(() => rmSync(root, { recursive: true, force: true }));

const OPUS = 'anthropic/claude-opus-4.5';
const SONNET = 'anthropic/claude-sonnet-4.5';
const SEED_MODES = [...REASONING_MODES.map((mode) => `      ${mode}: reasoning`), ...IMPLEMENTATION_MODES.map((mode) => `      ${mode}: implementation`)].join('\n');

/** A pino logger writing into memory, so tests can read every line the gateway logged. */
function memoryLogger(): { logger: Logger; text(): string } {
  const lines: string[] = [];
  return { logger: pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) }), text: () => lines.join('') };
}

interface FileGateway {
  gateway: RunningGateway;
  path: string;
  log: () => string;
  /** Rewrites the config file (the watcher may pick it up too). */
  write(yaml: string): void;
}

/** Writes `yaml` into a fresh directory and starts a gateway on it, the way `automodel serve --config` does. */
async function startFromFile(name: string, yaml: string, env: Record<string, string>, options: Partial<GatewayOptions> = {}): Promise<FileGateway> {
  const directory = join(root, name);
  mkdirSync(directory, { recursive: true });
  const path = join(directory, 'automodel.yaml');
  writeFileSync(path, yaml);
  const { logger, text } = memoryLogger();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    configPath: path,
    cwd: directory,
    env: { AUTOMODEL_DB: ':memory:', ...env },
    logger,
    sleep: async () => {},
    ...options,
  });
  return { gateway, path, log: text, write: (next) => writeFileSync(path, next) };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function post(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** An OpenAI chat request for `model`, with the mode in `x-kilocode-mode` when given. */
function chat(url: string, model: string, mode?: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
  const modeHeader: Record<string, string> = mode === undefined ? {} : { 'x-kilocode-mode': mode };
  return post(url, '/v1/chat/completions', { model, max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...extra }, { ...modeHeader, ...headers });
}

/** The routing headers that tell where a request went. */
function route(answer: Answer): { status: number; mode: string | null; source: string | null; tier: string | null; model: string | null } {
  return {
    status: answer.status,
    mode: answer.headers.get('x-automodel-mode'),
    source: answer.headers.get('x-automodel-mode-source'),
    tier: answer.headers.get('x-automodel-tier'),
    model: answer.headers.get('x-automodel-model'),
  };
}

function lastBody(mock: MockUpstream): Record<string, unknown> {
  return mock.calls.at(-1)!.body as Record<string, unknown>;
}

/** A Claude Code request in plan mode, as recorded (no mode header: only the reminder in the last user turn says so). */
function claudeCodePlanBody(): Record<string, unknown> {
  const fixture = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/modes/claude-code/plan-mode-1.json'), 'utf8')) as { body: Record<string, unknown> };
  return { ...fixture.body, model: 'kilo/auto', stream: false };
}

const ROUTER_KEY = 'sk-or-from-env-0123456789';

function routingYaml(inference: boolean): string {
  return `providers:
  openrouter:
    type: openrouter
    baseUrl: \${MOCK_URL}/api/v1
    apiKey: \${ROUTER_KEY}
virtualModels:
  kilo/auto:
    aliases: [auto]
    tiers:
      reasoning: [claude-opus-4-5]
      implementation: [claude-sonnet-4-5]
    modes:
${SEED_MODES}
      security-review: reasoning
    overrides:
      plan: { reasoning_effort: high, max_tokens: 4321 }
  auto/budget:
    aliases: [budget]
    tiers:
      implementation: [claude-sonnet-4-5, claude-haiku-4-5]
    defaultTier: implementation
inference:
  enabled: ${inference}
`;
}

describe('config file: providers, modes, virtual models, overrides, inference', () => {
  let mock: MockUpstream;
  let live: FileGateway;
  before(async () => {
    // The mock insists on exactly the key the file interpolated from the environment.
    mock = await startMockUpstream({ apiKey: ROUTER_KEY });
    live = await startFromFile('routing', routingYaml(true), { MOCK_URL: mock.url, ROUTER_KEY });
  });
  after(async () => {
    await live.gateway.close();
    await mock.close();
  });
  beforeEach(() => mock.reset());

  it('takes the providers from the file, with the ${VAR} key sent upstream', async () => {
    assert.deepEqual(live.gateway.config().providers.map((provider) => [provider.id, provider.baseUrl]), [['openrouter', `${mock.url}/api/v1`]]);
    const answer = await chat(live.gateway.url, 'kilo/auto', 'code');
    assert.equal(answer.status, 200, answer.text);
    assert.equal(mock.calls[0]!.headers.authorization, `Bearer ${ROUTER_KEY}`);
    assert.equal(mock.calls[0]!.path, '/api/v1/chat/completions');
  });

  it('routes a custom mode to the reasoning tier (slug case-insensitive) and an unmapped one to the default tier', async () => {
    assert.deepEqual(route(await chat(live.gateway.url, 'kilo/auto', ' Security-Review ')), { status: 200, mode: 'security-review', source: 'header', tier: 'reasoning', model: OPUS });
    assert.deepEqual(route(await chat(live.gateway.url, 'auto', 'docs-writer')), { status: 200, mode: 'docs-writer', source: 'header', tier: 'implementation', model: SONNET });
    assert.deepEqual(route(await chat(live.gateway.url, 'kilo/auto', 'plan')), { status: 200, mode: 'plan', source: 'header', tier: 'reasoning', model: OPUS });
  });

  it('auto/budget (and its alias) never uses the reasoning tier, whatever the mode', async () => {
    for (const model of ['auto/budget', 'budget']) {
      for (const mode of [...REASONING_MODES, ...IMPLEMENTATION_MODES, 'security-review', undefined]) {
        const answer = await chat(live.gateway.url, model, mode);
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.headers.get('x-automodel-tier'), 'implementation', `${model} ${mode}`);
        assert.equal(answer.headers.get('x-automodel-model'), SONNET, `${model} ${mode}`);
        assert.equal(lastBody(mock).model, SONNET);
      }
    }
    const listed = (await (await fetch(`${live.gateway.url}/v1/models`)).json()) as { data: Array<{ id: string }> };
    assert.ok(listed.data.some((entry) => entry.id === 'auto/budget'));
  });

  it('applies per-mode overrides to the upstream body, only in that mode and only on that virtual model', async () => {
    await chat(live.gateway.url, 'kilo/auto', 'plan', { max_tokens: 100 });
    assert.equal(lastBody(mock).max_tokens, 4321);
    assert.equal(lastBody(mock).reasoning_effort, 'high');
    assert.equal(lastBody(mock).model, OPUS);

    await chat(live.gateway.url, 'kilo/auto', 'architect', { max_tokens: 100 });
    assert.equal(lastBody(mock).max_tokens, 100);
    assert.equal('reasoning_effort' in lastBody(mock), false);

    await chat(live.gateway.url, 'auto/budget', 'plan', { max_tokens: 100 });
    assert.equal(lastBody(mock).max_tokens, 100);
    assert.equal('reasoning_effort' in lastBody(mock), false);
  });

  it('inference.enabled: a Claude Code plan-mode request without a header goes to reasoning when on, the default tier when off', async () => {
    const body = claudeCodePlanBody();
    const on = await post(live.gateway.url, '/v1/messages', body);
    assert.deepEqual(route(on), { status: 200, mode: 'plan', source: 'inferred', tier: 'reasoning', model: OPUS });

    live.write(routingYaml(false));
    assert.equal(live.gateway.reload('test'), true);
    try {
      const off = await post(live.gateway.url, '/v1/messages', body);
      assert.deepEqual(route(off), { status: 200, mode: 'none', source: 'default', tier: 'implementation', model: SONNET });
      // A header still decides when inference is off.
      assert.deepEqual(route(await post(live.gateway.url, '/v1/messages', body, { 'x-kilocode-mode': 'plan' })).tier, 'reasoning');
    } finally {
      live.write(routingYaml(true));
      assert.equal(live.gateway.reload('test'), true);
    }
    assert.equal(route(await post(live.gateway.url, '/v1/messages', body)).source, 'inferred');
  });
});

describe('config file: refused at start', () => {
  it('overrides that set stream (which would fail every request in that mode) stop the gateway with file:line and path', async () => {
    const yaml = `virtualModels:\n  kilo/auto:\n    tiers: { implementation: [claude-sonnet-4-5] }\n    modes: { plan: implementation }\n    overrides:\n      plan: { stream: false }\n`;
    await assert.rejects(startFromFile('refused', yaml, { OPENROUTER_API_KEY: 'sk-or' }), (error: unknown) => {
      assert.ok(error instanceof ConfigLoadError);
      assert.match(error.problems.join('\n'), /automodel\.yaml:6:\d+ error virtualModels\["kilo\/auto"\]\.overrides\.plan\.stream: overrides cannot set 'stream'/);
      return true;
    });
  });
});

describe('config file: fallback.crossTiers', () => {
  let flaky: MockUpstream;
  let steady: MockUpstream;
  let live: FileGateway;
  const yaml = (crossTiers: boolean) => `providers:
  flaky:
    type: openai-compatible
    baseUrl: \${FLAKY_URL}/v1
    apiKey: \${FLAKY_KEY}
    models: { claude-opus-4-5: opus-upstream }
  steady:
    type: openai-compatible
    baseUrl: \${STEADY_URL}/v1
    apiKey: \${STEADY_KEY}
    models: { claude-sonnet-4-5: sonnet-upstream }
fallback:
  crossTiers: ${crossTiers}
  retries: 2
  breaker: { failureThreshold: 100 }
`;
  before(async () => {
    // The reasoning tier's only candidate lives on a provider that answers 500 to everything.
    flaky = await startMockUpstream({ defaults: { fault: 'status', status: 500 } });
    steady = await startMockUpstream();
    const env = { FLAKY_URL: flaky.url, STEADY_URL: steady.url, FLAKY_KEY: 'sk-flaky-0123', STEADY_KEY: 'sk-steady-0123' };
    live = await startFromFile('cross-tiers', yaml(false), env);
  });
  after(async () => {
    await live.gateway.close();
    await flaky.close();
    await steady.close();
  });
  beforeEach(() => {
    flaky.reset();
    steady.reset();
    live.gateway.breakers.reset();
  });

  it('off: the tier\'s only candidate fails three times (1 + 2 retries) and the client gets the error', async () => {
    const answer = await chat(live.gateway.url, 'kilo/auto', 'plan');
    assert.ok(answer.status >= 500, `${answer.status} ${answer.text}`);
    assert.equal(flaky.calls.length, 3);
    assert.equal(steady.calls.length, 0);
    assert.equal(answer.headers.get('x-automodel-fallback-tier'), null);
  });

  for (const stream of [false, true]) {
    it(`on (stream=${stream}): the failing reasoning tier is served by the implementation tier, and the response says so`, async () => {
      live.write(yaml(true));
      assert.equal(live.gateway.reload('test'), true);
      try {
        const answer = await chat(live.gateway.url, 'kilo/auto', 'plan', { stream });
        assert.equal(answer.status, 200, answer.text);
        assert.equal(answer.headers.get('x-automodel-tier'), 'reasoning');
        assert.equal(answer.headers.get('x-automodel-fallback-tier'), 'implementation');
        assert.equal(answer.headers.get('x-automodel-model'), 'sonnet-upstream');
        // Cross-tier candidates follow the tier's own in the first round: one failure, then the other tier.
        assert.equal(answer.headers.get('x-automodel-attempts'), '2');
        assert.equal(flaky.calls.length, 1, 'the reasoning tier was tried first');
        assert.ok(flaky.calls.every((call) => (call.body as { model: string }).model === 'opus-upstream'));
        assert.equal(steady.calls.length, 1);
        assert.match(answer.text, /mock/);
        // The implementation tier itself never crosses into the failing tier while its own model works.
        const code = await chat(live.gateway.url, 'kilo/auto', 'code', { stream });
        assert.equal(code.headers.get('x-automodel-fallback-tier'), null);
        assert.equal(code.headers.get('x-automodel-model'), 'sonnet-upstream');
      } finally {
        live.write(yaml(false));
        assert.equal(live.gateway.reload('test'), true);
      }
    });
  }
});

describe('docs recipe: a local model for explore (docs/recipes/local-model-explore.md), as written', () => {
  let anthropic: MockUpstream;
  let ollama: MockUpstream;
  let live: FileGateway;
  before(async () => {
    anthropic = await startMockUpstream();
    ollama = await startMockUpstream();
    const recipe = /```yaml\n([\s\S]*?)```/.exec(readFileSync(join(process.cwd(), 'docs/recipes/local-model-explore.md'), 'utf8'))![1]!;
    // The only edits: both upstreams are loopback mocks instead of Anthropic's API and a local Ollama, and the mock
    // wants a bearer token where Ollama takes none (Ollama ignores one).
    const yaml = recipe.replace('http://127.0.0.1:11434/v1', `${ollama.url}/v1\n    apiKey: ollama`).replace('    type: anthropic\n', '    type: anthropic\n    baseUrl: ${ANTHROPIC_BASE_URL}\n');
    assert.notEqual(yaml, recipe);
    live = await startFromFile('recipe-local', yaml, { ANTHROPIC_API_KEY: 'sk-ant-recipe', ANTHROPIC_BASE_URL: anthropic.url });
  });
  after(async () => {
    await live.gateway.close();
    await anthropic.close();
    await ollama.close();
  });

  it('explore goes to the local model by its Ollama name, inferred from an opencode explore subagent too; code stays on Sonnet', async () => {
    const explore = await chat(live.gateway.url, 'kilo/auto', 'explore');
    assert.deepEqual(route(explore), { status: 200, mode: 'explore', source: 'header', tier: 'local', model: 'qwen2.5-coder:14b' });
    assert.equal(lastBody(ollama).model, 'qwen2.5-coder:14b');
    const fixture = JSON.parse(readFileSync(join(process.cwd(), 'test/fixtures/modes/opencode/explore-subagent.json'), 'utf8')) as { body: Record<string, unknown> };
    const inferred = await post(live.gateway.url, '/v1/chat/completions', { ...fixture.body, stream: false });
    assert.deepEqual(route(inferred), { status: 200, mode: 'explore', source: 'inferred', tier: 'local', model: 'qwen2.5-coder:14b' });
    assert.deepEqual(route(await chat(live.gateway.url, 'kilo/auto', 'code')), { status: 200, mode: 'code', source: 'header', tier: 'implementation', model: 'claude-sonnet-4-5' });
    assert.equal(lastBody(anthropic).model, 'claude-sonnet-4-5');
  });

  it('with Ollama down, explore falls back to Sonnet in the same tier', async () => {
    await ollama.close();
    const answer = await chat(live.gateway.url, 'kilo/auto', 'explore', { stream: true });
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('x-automodel-tier'), 'local');
    assert.equal(answer.headers.get('x-automodel-model'), 'claude-sonnet-4-5');
    assert.equal(answer.headers.get('x-automodel-fallback-tier'), null);
    assert.match(answer.text, /data: \[DONE\]/);
  });
});

describe('config file: a provider with a wrong key in the file', () => {
  let strict: MockUpstream;
  let spare: MockUpstream;
  let live: FileGateway;
  before(async () => {
    strict = await startMockUpstream({ apiKey: 'sk-ant-the-right-one' });
    spare = await startMockUpstream();
    const yaml = `providers:
  anthropic:
    type: anthropic
    baseUrl: \${STRICT_URL}
    apiKey: \${STALE_KEY}
  openrouter:
    type: openrouter
    baseUrl: \${SPARE_URL}/api/v1
    apiKey: \${ROUTER_KEY}
`;
    live = await startFromFile('stale-key', yaml, { STRICT_URL: strict.url, SPARE_URL: spare.url, STALE_KEY: 'sk-ant-revoked', ROUTER_KEY });
  });
  after(async () => {
    await live.gateway.close();
    await strict.close();
    await spare.close();
  });

  // The attempt loop classes an upstream 401/403 as a client error and stops, though the client did nothing wrong and
  // the next provider in the tier would serve it (see the report: src/router/classify-failure.ts).
  it('falls back to the next provider of the tier when one answers 401 for its own key', async () => {
    const answer = await chat(live.gateway.url, 'kilo/auto', 'code');
    assert.equal(strict.calls.length, 1);
    assert.equal(answer.status, 200, answer.text);
    assert.equal(answer.headers.get('x-automodel-provider'), 'openrouter');
  });
});

describe('config file: gateway keys', () => {
  const GATEWAY_KEY = 'amk-live-gateway-key-6b1f0c9e';
  const WRONG_KEY = 'amk-wrong-key-77d2e4aa';
  let mock: MockUpstream;
  let live: FileGateway;
  before(async () => {
    mock = await startMockUpstream({ apiKey: ROUTER_KEY });
    const yaml = `server:
  auth:
    keys: ["\${GATEWAY_KEY}", "\${SPARE_KEY:-}"]
providers:
  openrouter:
    type: openrouter
    baseUrl: \${MOCK_URL}/api/v1
    apiKey: \${ROUTER_KEY}
`;
    live = await startFromFile('auth', yaml, { MOCK_URL: mock.url, ROUTER_KEY, GATEWAY_KEY });
  });
  after(async () => {
    await live.gateway.close();
    await mock.close();
  });

  const openaiBody = { model: 'kilo/auto', messages: [{ role: 'user', content: 'hi' }] };
  const anthropicBody = { model: 'kilo/auto', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };
  const refused: Array<[string, Record<string, string>]> = [
    ['no key', {}],
    ['a wrong bearer key', { authorization: `Bearer ${WRONG_KEY}` }],
    ['a wrong x-api-key', { 'x-api-key': WRONG_KEY }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ];

  for (const [name, headers] of refused) {
    it(`${name}: 401 in each protocol's error shape, nothing sent upstream`, async () => {
      const before = mock.calls.length;
      const openai = await post(live.gateway.url, '/v1/chat/completions', openaiBody, headers);
      assert.equal(openai.status, 401);
      const openaiError = JSON.parse(openai.text) as { error: { message: string; type: string; code: string } };
      assert.equal(openaiError.error.type, 'authentication_error');
      assert.equal(openaiError.error.code, 'unauthorized');
      assert.equal(typeof openaiError.error.message, 'string');

      const anthropic = await post(live.gateway.url, '/v1/messages', anthropicBody, headers);
      assert.equal(anthropic.status, 401);
      const anthropicError = JSON.parse(anthropic.text) as { type: string; error: { type: string; message: string } };
      assert.equal(anthropicError.type, 'error');
      assert.equal(anthropicError.error.type, 'authentication_error');

      assert.equal((await post(live.gateway.url, '/api/route', openaiBody, headers)).status, 401);
      assert.equal(mock.calls.length, before);
      for (const text of [openai.text, anthropic.text]) {
        assert.ok(!text.includes(GATEWAY_KEY) && !text.includes(WRONG_KEY));
      }
    });
  }

  it('the right key, as a bearer token or as x-api-key, is accepted on both routes', async () => {
    const accepted: Array<Record<string, string>> = [{ authorization: `Bearer ${GATEWAY_KEY}` }, { 'x-api-key': GATEWAY_KEY }];
    for (const headers of accepted) {
      const openai = await post(live.gateway.url, '/v1/chat/completions', openaiBody, headers);
      assert.equal(openai.status, 200, openai.text);
      const anthropic = await post(live.gateway.url, '/v1/messages', anthropicBody, headers);
      assert.equal(anthropic.status, 200, anthropic.text);
    }
    // The gateway key is the client's, never forwarded: upstream gets the provider key from the file.
    for (const call of mock.calls) {
      assert.equal(call.headers.authorization, `Bearer ${ROUTER_KEY}`);
      assert.ok(!JSON.stringify(call.headers).includes(GATEWAY_KEY));
    }
  });

  it('an upstream failure answered to an authenticated client carries no key', async () => {
    mock.enqueue({ fault: 'status', status: 400 }, { fault: 'status', status: 400 });
    for (const stream of [false, true]) {
      const answer = await post(live.gateway.url, '/v1/chat/completions', { ...openaiBody, stream }, { 'x-api-key': GATEWAY_KEY });
      assert.ok(answer.status === 400 || answer.status === 200, answer.text);
      assert.ok(!answer.text.includes(GATEWAY_KEY) && !answer.text.includes(ROUTER_KEY));
    }
  });

  it('a key rotated in the file applies on reload: the old one is refused, the new one accepted', async () => {
    const rotated = 'amk-rotated-key-19c0d3b2';
    const original = readFileSync(live.path, 'utf8');
    live.write(original.replace('${GATEWAY_KEY}', rotated));
    try {
      assert.equal(live.gateway.reload('SIGHUP'), true);
      assert.equal((await post(live.gateway.url, '/v1/chat/completions', openaiBody, { 'x-api-key': GATEWAY_KEY })).status, 401);
      assert.equal((await post(live.gateway.url, '/v1/chat/completions', openaiBody, { 'x-api-key': rotated })).status, 200);
    } finally {
      live.write(original);
      assert.equal(live.gateway.reload('SIGHUP'), true);
    }
    assert.equal((await post(live.gateway.url, '/v1/chat/completions', openaiBody, { 'x-api-key': GATEWAY_KEY })).status, 200);
  });

  it('no key appears in the logs, /metrics, /api/requests or a request\'s detail', async () => {
    const metrics = await (await fetch(`${live.gateway.url}/metrics`)).text();
    const requestsResponse = await fetch(`${live.gateway.url}/api/requests?limit=200`);
    assert.equal(requestsResponse.status, 200);
    const requestsText = await requestsResponse.text();
    const ids = [...requestsText.matchAll(/"id":"([0-9a-f-]{36})"/g)].map((match) => match[1]!);
    assert.ok(ids.length >= 4, 'recent requests are listed');
    const details: string[] = [];
    for (const id of ids) details.push(await (await fetch(`${live.gateway.url}/api/requests/${id}`)).text());
    const log = live.log();
    assert.match(log, /"msg":"request"/);
    for (const [where, text] of [['log', log], ['/metrics', metrics], ['/api/requests', requestsText], ['request detail', details.join('\n')]] as const) {
      for (const secret of [GATEWAY_KEY, WRONG_KEY, ROUTER_KEY]) assert.ok(!text.includes(secret), `${where} contains a key`);
    }
  });
});

describe('config init starter file through a real gateway', () => {
  let zero: GatewayUnderTest;
  let starter: GatewayUnderTest;
  before(async () => {
    const directory = join(root, 'init');
    mkdirSync(directory, { recursive: true });
    const out: string[] = [];
    const io = { stdout: { write: (text: string) => out.push(text) }, stderr: { write: (text: string) => out.push(text) }, env: {}, cwd: directory };
    await createConfigCommand(io).parseAsync(['init'], { from: 'user' });
    assert.match(out.join(''), /Wrote automodel\.yaml/);
    const empty = join(root, 'no-config');
    mkdirSync(empty, { recursive: true });
    zero = await startGatewayWithMock(['anthropic', 'openrouter'], {}, { cwd: empty });
    starter = await startGatewayWithMock(['anthropic', 'openrouter'], {}, { configPath: join(directory, 'automodel.yaml'), cwd: directory });
  });
  after(async () => {
    await zero.close();
    await starter.close();
  });

  it('loaded the file (not zero config), with the same providers', () => {
    assert.equal(zero.gateway.config().sourcePath, null);
    assert.match(starter.gateway.config().sourcePath ?? '', /init\/automodel\.yaml$/);
    // Each gateway has its own mock, so compare the base URLs with the mock's address taken out.
    const providers = (env: GatewayUnderTest) =>
      env.gateway.config().providers.map((provider) => [provider.id, provider.type, provider.baseUrl.replace(env.mock.url, 'MOCK'), provider.apiKey]);
    assert.deepEqual(providers(starter), providers(zero));
    assert.deepEqual(providers(zero).map((entry) => entry[2]), ['MOCK/v1', 'MOCK/api/v1']);
  });

  const modes: Array<string | undefined> = [...REASONING_MODES, ...IMPLEMENTATION_MODES, undefined, 'my-custom-mode'];
  for (const path of ['/v1/chat/completions', '/v1/messages']) {
    it(`routes every seed mode, no mode and an unknown mode exactly like zero config (${path})`, async () => {
      const seen: string[] = [];
      for (const model of ['kilo/auto', 'auto']) {
        for (const mode of modes) {
          const headers: Record<string, string> = mode === undefined ? {} : { 'x-kilocode-mode': mode };
          const body = { model, max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] };
          const [fromZero, fromStarter] = await Promise.all([post(zero.url, path, body, headers), post(starter.url, path, body, headers)]);
          const pick = (answer: Answer) => ({ ...route(answer), provider: answer.headers.get('x-automodel-provider') });
          assert.equal(fromZero.status, 200, fromZero.text);
          assert.deepEqual(pick(fromStarter), pick(fromZero), `${model} ${mode ?? '(no mode)'}`);
          seen.push(`${mode ?? 'none'}→${fromStarter.headers.get('x-automodel-tier')}`);
        }
      }
      // And zero config is the seed table, so both agree with it.
      for (const mode of REASONING_MODES) assert.ok(seen.includes(`${mode}→reasoning`));
      for (const mode of [...IMPLEMENTATION_MODES, 'none', 'my-custom-mode']) assert.ok(seen.includes(`${mode}→implementation`));
    });
  }
});

describe('hot reload through a real gateway', () => {
  let mock: MockUpstream;
  let live: FileGateway;
  const yaml = (planTier: string, extra = '') => `providers:
  openrouter:
    type: openrouter
    baseUrl: \${MOCK_URL}/api/v1
    apiKey: \${ROUTER_KEY}
virtualModels:
  kilo/auto:
    aliases: [auto]
    tiers:
      reasoning: [claude-opus-4-5]
      implementation: [claude-sonnet-4-5]
    modes:
      plan: ${planTier}
      code: implementation
${extra}`;
  before(async () => {
    mock = await startMockUpstream();
    live = await startFromFile('reload', yaml('reasoning'), { MOCK_URL: mock.url, ROUTER_KEY });
  });
  after(async () => {
    await live.gateway.close();
    await mock.close();
  });

  async function tierOf(mode: string): Promise<string | null> {
    const answer = await chat(live.gateway.url, 'kilo/auto', mode);
    assert.equal(answer.status, 200, answer.text);
    return answer.headers.get('x-automodel-tier');
  }

  /** Polls until the gateway routes `mode` to `tier`; a bounded wait, failing with what it saw. */
  async function waitForTier(mode: string, tier: string, timeoutMs = 5000): Promise<number> {
    const started = Date.now();
    let seen: string | null = null;
    while (Date.now() - started < timeoutMs) {
      seen = await tierOf(mode);
      if (seen === tier) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.fail(`mode ${mode} still routes to ${seen} after ${timeoutMs} ms`);
  }

  it('an edit to the file applies to new requests without a restart', async () => {
    assert.equal(await tierOf('plan'), 'reasoning');
    live.write(yaml('implementation'));
    const waited = await waitForTier('plan', 'implementation');
    console.log(`# file edit applied after ${waited} ms`);
    assert.match(live.log(), /config file changed: .* applied/);
  });

  it('a broken edit keeps the last good config, says why, and requests keep working', async () => {
    assert.equal(await tierOf('plan'), 'implementation');
    const good = live.gateway.config();
    live.write(yaml('reasoning', '    defaultTier: nowhere\n'));
    // Wait until the watcher has seen it (it logs the error), then check nothing changed.
    const started = Date.now();
    while (!/keeping the previous config/.test(live.log()) && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.match(live.log(), /defaultTier 'nowhere' is not one of the tiers/);
    assert.equal(live.gateway.config(), good);
    assert.equal(await tierOf('plan'), 'implementation');
    // Broken YAML, via SIGHUP's path: refused at once, still serving.
    live.write('virtualModels: [unclosed\n');
    assert.equal(live.gateway.reload('SIGHUP'), false);
    assert.equal(live.gateway.config(), good);
    assert.equal(await tierOf('plan'), 'implementation');
    assert.equal(await tierOf('code'), 'implementation');
  });

  it('a change to a setting read only at start-up is applied with the rest and named in a warning', async () => {
    live.write(yaml('implementation', 'retention:\n  days: 3\n'));
    assert.equal(live.gateway.reload('SIGHUP'), true);
    assert.match(live.log(), /config SIGHUP: retention\.days changed; that takes a restart/);
  });

  it('reload(\'SIGHUP\') applies a change at once', async () => {
    live.write(yaml('reasoning'));
    assert.equal(live.gateway.reload('SIGHUP'), true);
    assert.equal(await tierOf('plan'), 'reasoning');
    assert.match(live.log(), /config SIGHUP: .* applied/);
    live.write(yaml('implementation'));
    assert.equal(live.gateway.reload('SIGHUP'), true);
    assert.equal(await tierOf('plan'), 'implementation');
  });
});
