/**
 * Reading a config: find the file, parse the YAML (keeping positions), interpolate `${VAR}`, validate with the zod schema,
 * compile. Every step collects its problems instead of stopping at the first, and each problem carries file, line and path.
 * With no file, the result is the zero config: the seed table with providers from the environment.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { compileConfig } from './compile.js';
import type { CompiledConfig, ConfigIssue } from './compiled.js';
import { providersFromEnv } from './env-providers.js';
import { configInputFromFile, type ServerOverrides } from './from-file.js';
import { interpolateTree } from './interpolate.js';
import { yamlModule } from './lazy-modules.js';
import { formatPath, locate, messagesFromZodIssues, type ConfigProblem } from './problems.js';
import { configFileSchema } from './schema.js';

export type { ConfigProblem } from './problems.js';
export type { ServerOverrides } from './from-file.js';

/** Names looked for in the working directory, in order. */
export const CONFIG_FILE_NAMES = ['automodel.yaml', 'automodel.yml'] as const;

/** The outcome of loading: a config when there is no error, and every problem found either way. */
export interface LoadResult {
  ok: boolean;
  /** Null when any problem is an error. */
  config: CompiledConfig | null;
  /** The file read, or null for zero config. */
  path: string | null;
  problems: ConfigProblem[];
}

export interface LoadOptions {
  env: Record<string, string | undefined>;
  /** Where relative paths and the default file are looked up; the process's working directory by default. */
  cwd?: string;
  /** `--host` / `--port` given on the command line win over the file. */
  serverOverrides?: ServerOverrides;
}

/**
 * Which file to read: `--config <file>`, else `AUTOMODEL_CONFIG`, else `automodel.yaml` in the working directory if it
 * exists; null means zero config. An explicitly named file is returned even if it does not exist, so that loading it
 * reports the mistake instead of silently falling back.
 */
export function resolveConfigPath(options: { flag?: string | undefined; env: Record<string, string | undefined>; cwd?: string }): string | null {
  const cwd = options.cwd ?? process.cwd();
  const explicit = options.flag?.trim() || options.env.AUTOMODEL_CONFIG?.trim();
  if (explicit) return resolve(cwd, explicit);
  for (const name of CONFIG_FILE_NAMES) {
    const candidate = resolve(cwd, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

/** Finds and loads the config (see {@link resolveConfigPath}); zero config when there is no file. */
export function loadConfig(options: LoadOptions & { flag?: string | undefined }): LoadResult {
  const path = resolveConfigPath({ flag: options.flag, env: options.env, ...(options.cwd ? { cwd: options.cwd } : {}) });
  return path === null ? zeroConfig(options) : loadConfigFile(path, options);
}

/** The config with no file: exactly the seed table, providers from the environment. */
export function zeroConfig(options: LoadOptions): LoadResult {
  const config = compileConfig({ providers: providersFromEnv(options.env), server: { ...options.serverOverrides } });
  return { ok: true, config, path: null, problems: config.issues.map((issue) => toProblem(issue, null)) };
}

/** Reads and loads one file. A missing or unreadable file is a problem like any other, not an exception. */
export function loadConfigFile(path: string, options: LoadOptions): LoadResult {
  const display = displayPath(path, options.cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? (error as Error).message})`;
    return { ok: false, config: null, path, problems: [{ severity: 'error', file: display, line: null, column: null, path: '', message }] };
  }
  return parseConfigText(text, { ...options, path, displayPath: display });
}

/** PURE apart from nothing: text → result. `displayPath` is what messages call the file. */
export function parseConfigText(text: string, options: LoadOptions & { path: string | null; displayPath?: string }): LoadResult {
  const file = options.displayPath ?? options.path;
  const { LineCounter, parseDocument } = yamlModule();
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const problems: ConfigProblem[] = [];
  const at = (path: ConfigIssue['path'], severity: ConfigIssue['severity'], message: string, atKey = false): ConfigProblem => {
    const position = locate(document, lineCounter, path, { atKey });
    return { severity, file, line: position?.line ?? null, column: position?.column ?? null, path: formatPath(path), message };
  };
  const fail = (): LoadResult => ({ ok: false, config: null, path: options.path, problems: byLine(problems) });

  for (const error of document.errors) {
    const position = error.linePos?.[0];
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    problems.push({ severity: 'error', file, line: position?.line ?? null, column: position?.col ?? null, path: '', message: `YAML: ${message}` });
  }
  if (problems.length > 0) return fail();

  const raw: unknown = document.toJS({ maxAliasCount: 100 }) ?? {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problems.push({ severity: 'error', file, line: 1, column: 1, path: '', message: 'expected a mapping of settings (server:, providers:, …) at the top level' });
    return fail();
  }
  const interpolated = interpolateTree(raw, options.env);
  for (const error of interpolated.errors) problems.push(at(error.path, 'error', error.message));

  const parsed = configFileSchema().safeParse(interpolated.value);
  if (!parsed.success) {
    for (const { path, message } of messagesFromZodIssues(parsed.error.issues, interpolated.value)) {
      problems.push(at(path, 'error', message, message.startsWith('unknown key')));
    }
  }
  if (!parsed.success || problems.length > 0) return fail();

  const config = compileConfig(configInputFromFile(parsed.data, options.env, options.path, options.serverOverrides));
  for (const issue of config.issues) problems.push(at(issue.path, issue.severity, issue.message));
  const ok = !problems.some((problem) => problem.severity === 'error');
  return { ok, config: ok ? config : null, path: options.path, problems: byLine(problems) };
}

/** In file order; problems with no line (defaults, the file as a whole) last. Stable for equal lines. */
function byLine(problems: ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort((left, right) => (left.line ?? Number.MAX_SAFE_INTEGER) - (right.line ?? Number.MAX_SAFE_INTEGER));
}

function toProblem(issue: ConfigIssue, file: string | null): ConfigProblem {
  return { severity: issue.severity, file, line: null, column: null, path: formatPath(issue.path), message: issue.message };
}

/** Paths under the working directory are shown relative to it, as people typed them. */
function displayPath(path: string, cwd = process.cwd()): string {
  const relativePath = relative(cwd, path);
  return relativePath !== '' && !relativePath.startsWith('..') && !isAbsolute(relativePath) ? relativePath : path;
}
