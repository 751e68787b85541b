/**
 * Turning what went wrong into messages a person can act on: `file:line:column`, the path in the document
 * (`virtualModels["kilo/auto"].tiers.reasoning[1]`), what was expected and what was found.
 */
import type { Document, LineCounter } from 'yaml';
import type { z } from 'zod';
import type { ConfigIssue } from './compiled.js';
import type { ConfigPath } from './interpolate.js';
import { yamlModule } from './lazy-modules.js';
import { knownKeysAt } from './schema.js';
import { closest } from './suggest.js';

/** One reportable problem, located in its file when it can be. */
export interface ConfigProblem {
  severity: ConfigIssue['severity'];
  file: string | null;
  /** 1-based; null when the path is not written in the file (a default) or there is no file. */
  line: number | null;
  column: number | null;
  /** The path as text, e.g. `providers.ollama.baseUrl`; '' for the document as a whole. */
  path: string;
  message: string;
}

/** `['virtualModels', 'kilo/auto', 'tiers', 'reasoning', 1]` → `virtualModels["kilo/auto"].tiers.reasoning[1]`. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(String(segment))) text += text === '' ? String(segment) : `.${String(segment)}`;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

/** A short description of a value as found in the file. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null (an empty value)';
  if (typeof value === 'string') return value.length > 40 ? `string "${value.slice(0, 37)}..."` : `string "${value}"`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `a list of ${value.length} item${value.length === 1 ? '' : 's'}`;
  return 'a mapping';
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let node = data;
  for (const segment of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment as string];
  }
  return node;
}

const FRIENDLY_TYPES: Record<string, string> = { record: 'a mapping', object: 'a mapping', array: 'a list', string: 'a string', number: 'a number', int: 'a whole number', boolean: 'true or false' };

/** Zod's issues → one `{path, message}` per problem, each saying what was expected and what the file has there. */
export function messagesFromZodIssues(issues: readonly z.core.$ZodIssue[], data: unknown): Array<{ path: ConfigPath; message: string }> {
  const result: Array<{ path: ConfigPath; message: string }> = [];
  for (const issue of issues) {
    const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
    const found = describeValue(valueAt(data, path));
    const ownMessage = issue.message.startsWith('expected') ? issue.message : null;
    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeysAt(path);
        for (const key of issue.keys) {
          const suggestion = closest(key, known);
          const hint = suggestion ? `; did you mean '${suggestion}'?` : '';
          result.push({ path: [...path, key], message: `unknown key '${key}'${hint} (expected one of: ${known.join(', ')})` });
        }
        break;
      }
      case 'invalid_type': {
        const expected = ownMessage ?? `expected ${FRIENDLY_TYPES[issue.expected] ?? issue.expected}`;
        const missing = valueAt(data, path) === undefined;
        result.push({ path, message: `${expected}, found ${missing ? 'nothing (this key is required)' : found}` });
        break;
      }
      case 'invalid_value':
        result.push({ path, message: `${ownMessage ?? `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`}, found ${found}` });
        break;
      case 'invalid_key': {
        const inner = issue.issues.find((entry) => entry.message.startsWith('expected'))?.message ?? 'expected a different key';
        result.push({ path, message: `${inner}, found key '${String(path[path.length - 1])}'` });
        break;
      }
      default:
        result.push({ path, message: `${ownMessage ?? issue.message}, found ${found}` });
    }
  }
  return result;
}

/**
 * Line and column of `path` in a parsed document. A scalar value points at the value; a mapping or list, or an unknown
 * key, at its key; a path that does not exist in the file (a missing key) at the deepest key that does.
 */
export function locate(
  document: Document,
  lineCounter: LineCounter,
  path: ReadonlyArray<PropertyKey>,
  options: { atKey?: boolean } = {},
): { line: number; column: number } | null {
  const { isMap, isScalar, isSeq } = yamlModule();
  let node: unknown = document.contents;
  let keyNode: unknown = null;
  let complete = true;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(segment));
      if (!pair) {
        complete = false;
        break;
      }
      keyNode = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      keyNode = null;
      node = node.items[segment];
    } else {
      complete = false;
      break;
    }
  }
  // A missing top-level key has nothing in the file to point at; the whole document is not a useful place.
  if (!complete && keyNode === null) return null;
  const target = complete && !options.atKey && isScalar(node) && node.range ? node : (keyNode ?? node);
  const range = (target as { range?: [number, number, number] } | null)?.range;
  if (!range) return null;
  const position = lineCounter.linePos(range[0]);
  return { line: position.line, column: position.col };
}

/** `automodel.yaml:12:7 error virtualModels["kilo/auto"].tiers.reasoning[1]: tier … names unknown model …` */
export function formatProblem(problem: ConfigProblem, options: { colour?: boolean } = {}): string {
  const paint = (code: string, text: string) => (options.colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const where = problem.file === null ? '' : `${problem.file}${problem.line === null ? '' : `:${problem.line}:${problem.column ?? 1}`} `;
  const label = problem.severity === 'error' ? paint('31', 'error') : problem.severity === 'warning' ? paint('33', 'warning') : paint('2', 'info');
  return `${where}${label} ${problem.path === '' ? '' : `${paint('1', problem.path)}: `}${problem.message}`;
}
