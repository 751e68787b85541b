/**
 * The config file's parsers, loaded on first use. A gateway on zero config never reads a file, and loading yaml and
 * zod (with the schema built from it) cost it ~10 MB of resident memory. Both ship CommonJS, so `require` keeps loading
 * synchronous: config loading stays a plain function call.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type * as Zod from 'zod';

const require = createRequire(import.meta.url);
let yaml: typeof Yaml | undefined;
let zod: typeof Zod | undefined;

export function yamlModule(): typeof Yaml {
  return (yaml ??= require('yaml') as typeof Yaml);
}

export function zodModule(): typeof Zod {
  return (zod ??= require('zod') as typeof Zod);
}
