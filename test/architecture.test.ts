/**
 * Architecture rules, checked on the source tree rather than in review (STYLE.md section (b), habit 11).
 *
 * The checker parses every `src/**\/*.ts` file with the TypeScript compiler API (so comments and strings never
 * produce false hits) and collects, per file: module specifiers (static imports, re-exports, `import()`, `require()`,
 * `import x = require()`), calls to a global `fetch`, HTTP client constructors (`XMLHttpRequest`, `WebSocket`), and
 * reads of `process.env` (property access, element access, destructuring, `import { env } from 'node:process'`).
 * Each rule is a predicate over those facts; a failure names the file, line and offending text.
 *
 * The checker itself is tested on synthetic sources first, so a rule that silently stops matching fails here too.
 * Tests run from the repository root; `AUTOMODEL_ARCH_ROOT` points the checker at another tree (used to prove, on a
 * copy, that a real violation fails the suite).
 */
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative, resolve, sep } from 'node:path';
import { describe, it } from 'node:test';
import ts from 'typescript';

/** One thing a source file reaches for, with where it does so. */
interface Fact {
  kind: 'import' | 'fetch-call' | 'http-constructor' | 'process-env';
  /** For imports: the specifier as written; for the rest: the expression text. */
  text: string;
  /** For relative imports: the target as a repository-relative path without extension (`src/server/app`). */
  target?: string;
  /** For imports: only types are imported (`import type …`, or every named binding marked `type`), so nothing loads. */
  typeOnly?: boolean;
  line: number;
}

interface SourceFacts {
  /** Repository-relative, forward slashes: `src/router/decide.ts`. */
  path: string;
  facts: Fact[];
}

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
/** Packages that talk HTTP; none belongs in the pure layers. */
const HTTP_CLIENT_PACKAGES = /^(undici|node-fetch|axios|got|ky|superagent|cross-fetch|isomorphic-fetch|ws|eventsource)(\/|$)/;
const NETWORK_BUILTINS = /^(node:)?(http|https|http2|net|tls|dgram|dns)(\/|$)/;
const FS_BUILTINS = /^(node:)?(fs|fs\/promises|child_process|worker_threads)$/;

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || BUILTINS.has(specifier);
}

/** Resolves a relative specifier against the importing file; `.js`/`.ts` and `/index` are dropped. */
function resolveTarget(fromPath: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const joined = posix.normalize(posix.join(posix.dirname(fromPath), specifier));
  return joined.replace(/\.(js|ts|mjs|cjs|json)$/, '').replace(/\/index$/, '');
}

/** Collects the facts of one file's text. `path` is repository-relative. */
export function collectFacts(path: string, text: string): SourceFacts {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const facts: Fact[] = [];
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const addImport = (specifier: string, node: ts.Node, typeOnly = false) => {
    const target = resolveTarget(path, specifier);
    facts.push({ kind: 'import', text: specifier, line: lineOf(node), ...(target ? { target } : {}), ...(typeOnly ? { typeOnly } : {}) });
  };
  const isTypeOnlyImport = (node: ts.ImportDeclaration | ts.ExportDeclaration): boolean => {
    if (ts.isExportDeclaration(node)) return node.isTypeOnly;
    const clause = node.importClause;
    if (!clause) return false;
    if (clause.isTypeOnly) return true;
    const bindings = clause.namedBindings;
    return clause.name === undefined && bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly);
  };
  const isProcess = (node: ts.Node) => ts.isIdentifier(node) && node.text === 'process';
  const isGlobalObject = (node: ts.Node) => ts.isIdentifier(node) && ['globalThis', 'global', 'window', 'self'].includes(node.text);

  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const specifier = node.moduleSpecifier.text;
      addImport(specifier, node, isTypeOnlyImport(node));
      // `import { env } from 'node:process'` reads the environment without saying `process.env`.
      if (ts.isImportDeclaration(node) && /^(node:)?process$/.test(specifier)) {
        const bindings = node.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((element) => (element.propertyName ?? element.name).text === 'env')) {
          facts.push({ kind: 'process-env', text: `import { env } from '${specifier}'`, line: lineOf(node) });
        }
      }
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      const expression = node.moduleReference.expression;
      if (ts.isStringLiteral(expression)) addImport(expression.text, node);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const firstArgument = node.arguments[0];
      if ((callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) && firstArgument) {
        addImport(ts.isStringLiteralLike(firstArgument) ? firstArgument.text : `<dynamic ${firstArgument.getText(source)}>`, node);
      }
      const isFetch =
        (ts.isIdentifier(callee) && callee.text === 'fetch') ||
        (ts.isPropertyAccessExpression(callee) && callee.name.text === 'fetch' && isGlobalObject(callee.expression));
      if (isFetch) facts.push({ kind: 'fetch-call', text: callee.getText(source), line: lineOf(node) });
    } else if (ts.isNewExpression(node) && ts.isIdentifier(node.expression) && ['XMLHttpRequest', 'WebSocket', 'EventSource'].includes(node.expression.text)) {
      facts.push({ kind: 'http-constructor', text: `new ${node.expression.text}`, line: lineOf(node) });
    } else if (ts.isPropertyAccessExpression(node) && isProcess(node.expression) && node.name.text === 'env') {
      facts.push({ kind: 'process-env', text: node.getText(source), line: lineOf(node) });
    } else if (ts.isElementAccessExpression(node) && isProcess(node.expression) && ts.isStringLiteralLike(node.argumentExpression) && node.argumentExpression.text === 'env') {
      facts.push({ kind: 'process-env', text: node.getText(source), line: lineOf(node) });
    } else if (ts.isVariableDeclaration(node) && node.initializer && isProcess(node.initializer) && ts.isObjectBindingPattern(node.name)) {
      const readsEnv = node.name.elements.some((element) => {
        const key = element.propertyName ?? element.name;
        return ts.isIdentifier(key) && key.text === 'env';
      });
      if (readsEnv) facts.push({ kind: 'process-env', text: node.getText(source), line: lineOf(node) });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { path, facts };
}

function listTypeScript(root: string, folder: string): string[] {
  const absolute = join(root, folder);
  if (!existsSync(absolute)) return [];
  const files: string[] = [];
  const walk = (directory: string) => {
    for (const name of readdirSync(directory)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const full = join(directory, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) files.push(relative(root, full).split(sep).join('/'));
    }
  };
  walk(absolute);
  return files.sort();
}

const isTestFile = (path: string) => path.endsWith('.test.ts');
const under = (path: string, folder: string) => path === folder || path.startsWith(`${folder}/`);

/** A rule: which files it covers and what it forbids in each. */
interface Rule {
  name: string;
  appliesTo(path: string): boolean;
  /** A message for each violating fact, or nothing. */
  check(fact: Fact, file: SourceFacts): string | undefined;
}

const PURE_LAYERS = ['src/router', 'src/protocols/translate'];

/** The boundary rules of STYLE.md (b) and habit 11, plus those the brief adds. */
export const RULES: Rule[] = [
  {
    name: 'router/ and protocols/translate/ import no node built-in',
    appliesTo: (path) => PURE_LAYERS.some((folder) => under(path, folder)) && !isTestFile(path),
    check: (fact) => (fact.kind === 'import' && isBuiltin(fact.text) ? `imports ${fact.text}` : undefined),
  },
  {
    name: 'router/ and protocols/translate/ import nothing from providers/, server/ or the usage store',
    appliesTo: (path) => PURE_LAYERS.some((folder) => under(path, folder)) && !isTestFile(path),
    check: (fact) => {
      const target = fact.target;
      if (fact.kind !== 'import' || !target) return undefined;
      if (under(target, 'src/providers') || under(target, 'src/server')) return `imports ${fact.text}`;
      // store.ts and its back ends (sqlite-store, postgres-store) do I/O; usage/types is plain data and allowed.
      if (under(target, 'src/usage') && /(^|[/-])store$/.test(target)) return `imports the usage store ${fact.text}`;
      if (target === 'src/main' || under(target, 'src/cli')) return `imports ${fact.text}`;
      return undefined;
    },
  },
  {
    name: 'router/ and protocols/translate/ use no HTTP client',
    appliesTo: (path) => PURE_LAYERS.some((folder) => under(path, folder)) && !isTestFile(path),
    check: (fact) => {
      if (fact.kind === 'fetch-call' || fact.kind === 'http-constructor') return `calls ${fact.text}`;
      if (fact.kind === 'import' && HTTP_CLIENT_PACKAGES.test(fact.text)) return `imports the HTTP client ${fact.text}`;
      return undefined;
    },
  },
  {
    name: 'protocols/ never imports server/',
    appliesTo: (path) => under(path, 'src/protocols'),
    check: (fact) => (fact.kind === 'import' && fact.target && under(fact.target, 'src/server') ? `imports ${fact.text}` : undefined),
  },
  {
    name: 'config/compile.ts does no file system or network I/O',
    appliesTo: (path) => path === 'src/config/compile.ts',
    check: (fact) => {
      if (fact.kind === 'fetch-call' || fact.kind === 'http-constructor') return `calls ${fact.text}`;
      if (fact.kind !== 'import') return undefined;
      if (FS_BUILTINS.test(fact.text) || NETWORK_BUILTINS.test(fact.text) || HTTP_CLIENT_PACKAGES.test(fact.text)) return `imports ${fact.text}`;
      if (fact.target && (under(fact.target, 'src/providers') || under(fact.target, 'src/server') || /(^|[/-])(store|load|watch)$/.test(fact.target))) {
        return `imports ${fact.text}, which does I/O`;
      }
      return undefined;
    },
  },
  {
    name: 'only main.ts and cli/ read process.env',
    appliesTo: (path) => under(path, 'src') && path !== 'src/main.ts' && !under(path, 'src/cli') && !isTestFile(path),
    check: (fact) => (fact.kind === 'process-env' ? `reads ${fact.text}` : undefined),
  },
  {
    // A gateway on zero config never reads a config file; loading the parsers anyway cost ~10 MB of resident memory.
    name: 'zod and yaml are loaded only through config/lazy-modules.ts (types may be imported anywhere)',
    appliesTo: (path) => under(path, 'src') && path !== 'src/config/lazy-modules.ts' && !isTestFile(path),
    check: (fact) => (fact.kind === 'import' && /^(zod|yaml)(\/|$)/.test(fact.text) && !fact.typeOnly ? `imports ${fact.text} at load time` : undefined),
  },
  {
    // Unit tests beside the code may share the fixtures in test/ (they are tests themselves); shipped code may not.
    name: 'nothing in src/ imports from web/, and only unit tests import from test/',
    appliesTo: (path) => under(path, 'src'),
    check: (fact, file) =>
      fact.kind === 'import' && fact.target && (under(fact.target, 'web') || under(fact.target, 'dist') || (under(fact.target, 'test') && !isTestFile(file.path)))
        ? `imports ${fact.text}`
        : undefined,
  },
];

/** Every violation of every rule across the given files, as `rule: path:line message`. */
export function findViolations(files: SourceFacts[], rules: Rule[] = RULES): string[] {
  const violations: string[] = [];
  for (const rule of rules) {
    for (const file of files) {
      if (!rule.appliesTo(file.path)) continue;
      for (const fact of file.facts) {
        const message = rule.check(fact, file);
        if (message) violations.push(`${rule.name}: ${file.path}:${fact.line} ${message}`);
      }
    }
  }
  return violations;
}

/** Import closure of `start` inside src/ (relative imports only). */
function importClosure(start: string, byPath: Map<string, SourceFacts>): string[] {
  const seen = new Set<string>();
  const queue = [start];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    for (const fact of byPath.get(path)?.facts ?? []) {
      if (fact.kind !== 'import' || !fact.target) continue;
      const next = [`${fact.target}.ts`, `${fact.target}/index.ts`].find((candidate) => byPath.has(candidate));
      if (next) queue.push(next);
    }
  }
  return [...seen];
}

const ROOT = resolve(process.env.AUTOMODEL_ARCH_ROOT ?? process.cwd());

describe('architecture checker (synthetic sources)', () => {
  const violationsOf = (path: string, text: string) => findViolations([collectFacts(path, text)]);

  it('sees node built-ins, bare or prefixed, static, re-exported and dynamic', () => {
    assert.equal(violationsOf('src/router/a.ts', "import { readFileSync } from 'node:fs';").length, 1);
    assert.equal(violationsOf('src/router/a.ts', "import * as path from 'path';").length, 1);
    assert.equal(violationsOf('src/router/a.ts', "export { createServer } from 'node:http';").length, 1);
    assert.equal(violationsOf('src/protocols/translate/a.ts', "const fs = await import('node:fs/promises');").length, 1);
    assert.equal(violationsOf('src/router/a.ts', "import fs = require('fs');").length, 1);
  });

  it('ignores comments and strings, type-only pure imports, and test files', () => {
    assert.deepEqual(violationsOf('src/router/a.ts', "// import x from 'node:fs'\nconst s = \"fetch('x') process.env\";"), []);
    assert.deepEqual(violationsOf('src/router/a.ts', "import type { UsageRecord } from '../usage/types.js';"), []);
    assert.deepEqual(violationsOf('src/router/a.test.ts', "import { readFileSync } from 'node:fs';"), []);
  });

  it('sees zod and yaml loaded outside config/lazy-modules.ts, and lets their types through', () => {
    assert.equal(violationsOf('src/config/schema.ts', "import { z } from 'zod';").length, 1);
    assert.equal(violationsOf('src/config/load.ts', "import { parseDocument, type Document } from 'yaml';").length, 1);
    assert.equal(violationsOf('src/server/x.ts', "const yaml = await import('yaml');").length, 1);
    assert.deepEqual(violationsOf('src/config/schema.ts', "import type * as Zod from 'zod';"), []);
    assert.deepEqual(violationsOf('src/config/problems.ts', "import { type Document, type LineCounter } from 'yaml';"), []);
    assert.deepEqual(violationsOf('src/config/lazy-modules.ts', "const z = require('zod');"), []);
  });

  it('sees imports of providers/, server/ and the usage store from the pure layers, type-only included', () => {
    assert.equal(violationsOf('src/router/a.ts', "import type { Adapter } from '../providers/adapters.js';").length, 1);
    assert.equal(violationsOf('src/router/inference/a.ts', "import { x } from '../../server/app.js';").length, 1);
    assert.equal(violationsOf('src/protocols/translate/a.ts', "import { openUsageStore } from '../../usage/store.js';").length, 1);
    assert.equal(violationsOf('src/router/a.ts', "import { SqliteStore } from '../usage/sqlite-store.js';").length, 1);
  });

  it('sees HTTP clients: fetch calls and client packages', () => {
    assert.equal(violationsOf('src/router/a.ts', "await fetch('http://127.0.0.1');").length, 1);
    assert.equal(violationsOf('src/router/a.ts', "await globalThis.fetch(url);").length, 1);
    assert.equal(violationsOf('src/router/a.ts', "import { request } from 'undici';").length, 1);
    assert.deepEqual(violationsOf('src/router/a.ts', 'const options = { fetch: undefined }; options.fetch;'), []);
  });

  it('sees protocols/ importing server/, compile.ts doing I/O, and src/ importing web/ or test/', () => {
    assert.equal(violationsOf('src/protocols/openai/a.ts', "import { x } from '../../server/http-util.js';").length, 1);
    assert.equal(violationsOf('src/config/compile.ts', "import { readFileSync } from 'node:fs';").length, 1);
    assert.equal(violationsOf('src/config/compile.ts', "import { loadConfig } from './load.js';").length, 1);
    assert.equal(violationsOf('src/usage/a.ts', "import { x } from '../../web/src/app.js';").length, 1);
    assert.equal(violationsOf('src/server/a.ts', "import { x } from '../../test/helpers/gateway.js';").length, 1);
  });

  it('sees every way of reading process.env outside main.ts and cli/', () => {
    assert.equal(violationsOf('src/server/a.ts', 'const port = process.env.PORT;').length, 1);
    assert.equal(violationsOf('src/server/a.ts', "const port = process['env'].PORT;").length, 1);
    assert.equal(violationsOf('src/server/a.ts', 'const { env } = process;').length, 1);
    assert.equal(violationsOf('src/server/a.ts', "import { env } from 'node:process';").length, 1);
    assert.deepEqual(violationsOf('src/main.ts', 'const port = process.env.PORT;'), []);
    assert.deepEqual(violationsOf('src/cli/commands/usage.ts', 'const env = process.env;'), []);
  });
});

describe('architecture rules (the source tree)', () => {
  const paths = listTypeScript(ROOT, 'src');
  const files = paths.map((path) => collectFacts(path, readFileSync(join(ROOT, path), 'utf8')));
  const byPath = new Map(files.map((file) => [file.path, file]));

  it('finds the source tree', () => {
    assert.ok(paths.length > 20, `expected src/ under ${ROOT}, found ${paths.length} files`);
    for (const expected of ['src/main.ts', 'src/config/compile.ts']) assert.ok(byPath.has(expected), `${expected} is missing`);
    assert.ok(paths.some((path) => under(path, 'src/router')), 'src/router/ is missing');
    assert.ok(paths.some((path) => under(path, 'src/protocols/translate')), 'src/protocols/translate/ is missing');
  });

  for (const rule of RULES) {
    it(rule.name, () => {
      const violations = findViolations(files, [rule]);
      assert.deepEqual(violations, [], `\n${violations.join('\n')}`);
    });
  }

  it('config/compile.ts reaches no file system or network module through its imports either', () => {
    const closure = importClosure('src/config/compile.ts', byPath);
    const offenders = closure.flatMap((path) =>
      (byPath.get(path)?.facts ?? [])
        .filter((fact) => fact.kind === 'fetch-call' || (fact.kind === 'import' && (FS_BUILTINS.test(fact.text) || NETWORK_BUILTINS.test(fact.text) || HTTP_CLIENT_PACKAGES.test(fact.text))))
        .map((fact) => `${path}:${fact.line} ${fact.text}`),
    );
    assert.deepEqual(offenders, [], `compile.ts imports (transitively): ${closure.join(', ')}`);
  });

  it('the pure layers reach no I/O module through their imports either', () => {
    const offenders: string[] = [];
    for (const file of files.filter((candidate) => PURE_LAYERS.some((folder) => under(candidate.path, folder)) && !isTestFile(candidate.path))) {
      for (const path of importClosure(file.path, byPath)) {
        for (const fact of byPath.get(path)?.facts ?? []) {
          const io = fact.kind === 'fetch-call' || (fact.kind === 'import' && (FS_BUILTINS.test(fact.text) || NETWORK_BUILTINS.test(fact.text) || HTTP_CLIENT_PACKAGES.test(fact.text)));
          if (io) offenders.push(`${file.path} → ${path}:${fact.line} ${fact.text}`);
        }
      }
    }
    assert.deepEqual([...new Set(offenders)], []);
  });
});
