/**
 * Every config-related CLI command, run as a user would: `node dist/src/cli/index.js …` in a temporary directory,
 * checking stdout, stderr and the exit code (0 ok, 1 user error, 2 usage error).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { STARTER_CONFIG } from '../../src/config/starter.js';

const CLI = resolve('dist/src/cli/index.js');
const directory = mkdtempSync(join(tmpdir(), 'automodel-cli-'));
after(() => rmSync(directory, { recursive: true, force: true }));

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: Record<string, string> = {}, cwd = directory): Run {
  const result = spawnSync(process.execPath, [CLI, ...args], {
    cwd,
    encoding: 'utf8',
    // Only what the test gives: no provider keys or config path leak in from the machine running the tests.
    env: { PATH: process.env.PATH ?? '', ...env },
    timeout: 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  const path = join(directory, name);
  writeFileSync(path, text);
  return path;
}

const REQUEST = JSON.stringify({ model: 'kilo/auto', max_tokens: 100, messages: [{ role: 'user', content: 'hello' }] });
const KEYS = { ANTHROPIC_API_KEY: 'sk-ant', OPENROUTER_API_KEY: 'sk-or' };

describe('automodel route', () => {
  file('request.json', REQUEST);

  it('explains a header-mode decision with its fallbacks', () => {
    const result = run(['route', 'request.json', '--header', 'x-kilocode-mode:plan'], KEYS);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(
      result.stdout,
      [
        'kilo/auto → claude-opus-4-5 via anthropic (anthropic-messages)',
        '  protocol    openai-chat',
        '  mode        plan (header)',
        '  tier        reasoning',
        "  reason      mode 'plan' from x-kilocode-mode → reasoning tier → claude-opus-4-5 via anthropic",
        '  fallbacks   2. claude-opus-4-5 via openrouter as anthropic/claude-opus-4.5 (openai-chat)',
        '',
      ].join('\n'),
    );
  });

  it('--mode, --json: the raw Decision', () => {
    const result = run(['route', 'request.json', '--mode', 'debug', '--json'], KEYS);
    assert.equal(result.status, 0, result.stderr);
    const decision = JSON.parse(result.stdout) as { mode: string; tier: string; modeSource: string; candidates: Array<{ modelId: string }> };
    assert.deepEqual([decision.mode, decision.modeSource, decision.tier, decision.candidates[0]!.modelId], ['debug', 'header', 'implementation', 'claude-sonnet-4-5']);
  });

  it('uses the config file: a second virtual model with per-mode overrides', () => {
    const config = file(
      'budget.yaml',
      'virtualModels:\n  auto/budget:\n    tiers: { implementation: [claude-haiku-4-5] }\n    modes: { plan: implementation }\n    overrides:\n      plan: { max_tokens: 8000 }\n',
    );
    file('budget-request.json', JSON.stringify({ model: 'auto/budget', messages: [{ role: 'user', content: 'x' }] }));
    const result = run(['route', 'budget-request.json', '--mode', 'plan', '--config', config], KEYS);
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^auto\/budget → claude-haiku-4-5 via anthropic/);
    assert.match(result.stdout, /\n {2}overrides {3}max_tokens=8000\n/);
  });

  it('says plainly when no provider is configured (exit 0: the decision is the answer)', () => {
    const result = run(['route', 'request.json']);
    assert.equal(result.status, 0);
    assert.match(result.stdout, /^kilo\/auto → no route \(no_provider\)\n/);
    assert.match(result.stdout, /\n {2}error {7}no_provider: No upstream provider is configured/);
  });

  it('user errors exit 1 with a one-line message', () => {
    assert.deepEqual(run(['route', 'missing.json']), { status: 1, stdout: '', stderr: 'automodel: missing.json: file not found\n' });
    file('bad.json', '{"model":');
    const bad = run(['route', 'bad.json']);
    assert.equal(bad.status, 1);
    assert.match(bad.stderr, /^automodel: bad\.json is not valid JSON: /);
  });

  it('usage errors exit 2', () => {
    const missing = run(['route']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /error: missing required argument 'request.json'/);
    assert.equal(run(['route', 'request.json', '--header', 'no-colon']).status, 2);
    assert.equal(run(['route', 'request.json', '--protocol', 'grpc']).status, 2);
    assert.equal(run(['route', 'request.json', '--bogus']).status, 2);
  });

  it('a broken config is a user error listing the problems', () => {
    const config = file('broken.yaml', 'inference:\n  threshold: 3\n');
    const result = run(['route', 'request.json', '--config', config]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `broken.yaml:2:14 error inference.threshold: expected a number from 0 to 1, found number 3\nautomodel: 1 config error in ${config}; run automodel config check for details\n`,
    );
  });
});

describe('automodel config', () => {
  it('init writes the starter, refuses to overwrite, --force does', () => {
    const cwd = mkdtempSync(join(directory, 'init-'));
    const first = run(['config', 'init'], {}, cwd);
    assert.deepEqual(first, { status: 0, stdout: 'Wrote automodel.yaml. It routes exactly like zero config; edit it, then run: automodel config check\n', stderr: '' });
    assert.equal(readFileSync(join(cwd, 'automodel.yaml'), 'utf8'), STARTER_CONFIG);
    assert.deepEqual(run(['config', 'init'], {}, cwd), { status: 1, stdout: '', stderr: 'automodel: automodel.yaml already exists; use --force to overwrite it\n' });
    assert.equal(run(['config', 'init', '--force'], {}, cwd).status, 0);

    // The starter is found in the working directory and checks clean.
    const check = run(['config', 'check'], KEYS, cwd);
    assert.equal(check.status, 0, check.stderr);
    assert.match(check.stdout, /^ok .*automodel\.yaml: virtual models kilo\/auto; providers anthropic, openrouter; 11 catalog models\n$/);
    assert.equal(check.stderr, 'automodel.yaml:41:13 info providers.openai.apiKey: provider \'openai\' has no API key: skipped\n');
  });

  it('check reports every error with file:line and exits 1', () => {
    const path = file(
      'errors.yaml',
      'server:\n  prot: 1\nvirtualModels:\n  auto/budget:\n    tiers:\n      implementation: [claude-haiku-4-5, nope-model]\n',
    );
    const result = run(['config', 'check', path], KEYS);
    assert.equal(result.status, 1);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      [
        "errors.yaml:2:3 error server.prot: unknown key 'prot'; did you mean 'port'? (expected one of: host, port, bodyLimit, auth)",
        `automodel: 1 config error in ${path}`,
        '',
      ].join('\n'),
    );
    // Compile-time errors come once the file is structurally valid.
    writeFileSync(path, 'virtualModels:\n  auto/budget:\n    tiers:\n      implementation: [claude-haiku-4-5, nope-model]\n');
    const second = run(['config', 'check', path, '--json'], KEYS);
    assert.equal(second.status, 1);
    const report = JSON.parse(second.stdout) as { ok: boolean; problems: Array<{ line: number; column: number; path: string; severity: string }> };
    assert.equal(report.ok, false);
    assert.deepEqual(report.problems.filter((problem) => problem.severity !== 'info').map((problem) => [problem.severity, problem.line, problem.column, problem.path]), [
      ['error', 4, 42, 'virtualModels["auto/budget"].tiers.implementation[1]'],
    ]);
  });

  it('check with no file checks the zero config; a named file that does not exist is an error', () => {
    const cwd = mkdtempSync(join(directory, 'empty-'));
    const zero = run(['config', 'check'], KEYS, cwd);
    assert.equal(zero.status, 0);
    assert.equal(zero.stdout, 'ok zero config (no automodel.yaml): virtual models kilo/auto; providers anthropic, openrouter; 11 catalog models\n');
    const missing = run(['config', 'check', 'nope.yaml'], {}, cwd);
    assert.equal(missing.status, 1);
    assert.equal(missing.stderr, `nope.yaml error file not found\nautomodel: 1 config error in ${join(cwd, 'nope.yaml')}\n`);
    const viaEnv = run(['config', 'check'], { AUTOMODEL_CONFIG: 'other.yaml' }, cwd);
    assert.equal(viaEnv.status, 1);
  });

  it('schema prints the JSON Schema', () => {
    const result = run(['config', 'schema']);
    assert.equal(result.status, 0);
    const schema = JSON.parse(result.stdout) as { title: string; additionalProperties: boolean };
    assert.deepEqual([schema.title, schema.additionalProperties], ['automodel.yaml', false]);
  });

  it('--help on every command, exit 0; an unknown subcommand exits 2', () => {
    for (const args of [['route'], ['config'], ['config', 'check'], ['config', 'schema'], ['config', 'init'], ['models']]) {
      const result = run([...args, '--help']);
      assert.equal(result.status, 0, args.join(' '));
      assert.match(result.stdout, new RegExp(`^Usage: automodel ${args.join(' ')}`));
    }
    assert.equal(run(['config', 'frobnicate']).status, 2);
  });
});

describe('automodel models', () => {
  it('prints the catalog table without colour when not on a terminal', () => {
    const result = run(['models']);
    assert.equal(result.status, 0);
    const lines = result.stdout.split('\n');
    assert.match(lines[0]!, /^id +name +anthropic +openrouter +openai +window +max out +input +output +cache read +cache write +status$/);
    assert.match(result.stdout, /\nclaude-opus-4-5 +Claude Opus 4\.5 +claude-opus-4-5 +anthropic\/claude-opus-4\.5 +- +200K +64K +\$5 +\$25 +\$0\.5 +\$6\.25 +legacy\n/);
    assert.equal(result.stdout.includes('\u001b['), false);
  });

  it('--json, with the config file changes included', () => {
    const config = file('catalog.yaml', 'models:\n  local-coder: { contextWindow: 32768, prices: { input: 0, output: 0 } }\n  claude-opus-4-5: { prices: { input: 4 } }\n');
    const result = run(['models', '--json', '--config', config]);
    assert.equal(result.status, 0, result.stderr);
    const models = JSON.parse(result.stdout) as Array<{ id: string; prices: { input: number } }>;
    assert.equal(models.find((model) => model.id === 'claude-opus-4-5')!.prices.input, 4);
    assert.equal(models.at(-1)!.id, 'local-coder');
    assert.equal(existsSync(join(directory, 'automodel.db')), false);
  });
});

describe('the automodel bin', () => {
  const shebang = readFileSync(CLI, 'utf8').split('\n', 1)[0]!;
  const launch = /^#!\/usr\/bin\/env -S ((?:[A-Z_]+=\S+ )*node(?: --[\w-]+=\S+)*)$/.exec(shebang)?.[1] ?? '';

  it('runs under the malloc and V8 heap settings its shebang names; npm start uses the same node flags', () => {
    assert.match(launch, /^MALLOC_ARENA_MAX=2 node /);
    assert.match(launch, /--max-semi-space-size=\d+/);
    assert.match(launch, /--initial-old-space-size=\d+/);
    // npm start has no environment prefix: `NAME=value cmd` is not understood by the shell npm uses on Windows.
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } };
    assert.equal(pkg.scripts.start, `${launch.replace(/^(?:[A-Z_]+=\S+ )+/, '')} dist/src/cli/index.js serve`);
  });

  it('starts through its shebang (env -S) as an installed bin would', () => {
    const result = spawnSync('/usr/bin/env', ['-S', launch, CLI, 'config', 'schema'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(result.status, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { type?: string }).type, 'object');
  });
});
