/**
 * `${VAR}` interpolation in config values (never in keys), applied to the parsed document so that a value can never
 * change the YAML structure and every error keeps its path (and so its line).
 *
 * - `${NAME}`: the variable's value; unset or empty is an error, so a missing key is never sent as literal text.
 * - `${NAME:-fallback}`: the fallback (possibly empty: `${NAME:-}`) when NAME is unset or empty, as in POSIX shells.
 * - `$${`: a literal `${`.
 * The result is always a string; numeric fields that may come from the environment (server.port) accept numeric strings.
 */

export type ConfigPath = Array<string | number>;

/** A `${…}` that could not be resolved. */
export interface InterpolationError {
  path: ConfigPath;
  message: string;
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Resolves the `${…}` expressions of one string. Problems are returned, one message each, without throwing. */
export function interpolateString(text: string, env: Record<string, string | undefined>): { value: string; problems: string[] } {
  if (!text.includes('$')) return { value: text, problems: [] };
  const problems: string[] = [];
  let value = '';
  let index = 0;
  while (index < text.length) {
    const start = text.indexOf('$', index);
    if (start === -1) {
      value += text.slice(index);
      break;
    }
    value += text.slice(index, start);
    if (text.startsWith('$${', start)) {
      value += '${';
      index = start + 3;
      continue;
    }
    if (text[start + 1] !== '{') {
      value += '$';
      index = start + 1;
      continue;
    }
    const end = text.indexOf('}', start + 2);
    if (end === -1) {
      problems.push(`unclosed '\${' in "${text}" (write $\${ for a literal \${)`);
      value += text.slice(start);
      break;
    }
    const expression = text.slice(start + 2, end);
    const separator = expression.indexOf(':-');
    const variable = separator === -1 ? expression : expression.slice(0, separator);
    const fallback = separator === -1 ? undefined : expression.slice(separator + 2);
    if (!VARIABLE_NAME.test(variable)) {
      problems.push(`'\${${expression}}' is not a variable reference: expected \${NAME} or \${NAME:-default}`);
    } else {
      const found = env[variable];
      if (found !== undefined && found !== '') value += found;
      else if (fallback !== undefined) value += fallback;
      else {
        problems.push(
          `environment variable ${variable} is ${found === undefined ? 'not set' : 'empty'}: set it, or give a default with \${${variable}:-default} (\${${variable}:-} for empty)`,
        );
      }
    }
    index = end + 1;
  }
  return { value, problems };
}

/** Interpolates every string value of a plain JSON-like tree (a parsed YAML document), returning a new tree. */
export function interpolateTree(
  tree: unknown,
  env: Record<string, string | undefined>,
): { value: unknown; errors: InterpolationError[] } {
  const errors: InterpolationError[] = [];
  const visit = (node: unknown, path: ConfigPath): unknown => {
    if (typeof node === 'string') {
      const result = interpolateString(node, env);
      for (const message of result.problems) errors.push({ path, message });
      return result.value;
    }
    if (Array.isArray(node)) return node.map((item, index) => visit(item, [...path, index]));
    if (node !== null && typeof node === 'object') {
      const copy: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) copy[key] = visit(item, [...path, key]);
      return copy;
    }
    return node;
  };
  return { value: visit(tree, []), errors };
}
