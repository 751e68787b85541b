/**
 * PURE: a validated `automodel.yaml` (defaults filled in, `${VAR}` resolved) → the inputs of `compileConfig`.
 * This is where the file's conveniences become plain values: sizes in bytes, providers from the environment when the
 * file lists none, keyless providers skipped, and the seed `kilo/auto` kept unless the file redefines it.
 */
import type { ConfigIssue, ProviderConfig, VirtualModelConfig } from './compiled.js';
import type { CatalogModelInput, ConfigInput } from './compile.js';
import { DEFAULT_VIRTUAL_MODEL } from './defaults.js';
import { providersFromEnv } from './env-providers.js';
import { SIZE_PATTERN, type ConfigFile, type ProviderFileEntry, type VirtualModelFileEntry } from './schema.js';

/** The official endpoints, as the vendors' SDKs default to them. */
export const DEFAULT_BASE_URLS: Record<Exclude<ProviderConfig['type'], 'openai-compatible'>, string> = {
  anthropic: 'https://api.anthropic.com/v1',
  openrouter: 'https://openrouter.ai/api/v1',
  openai: 'https://api.openai.com/v1',
};

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `10mb` → 10485760; a number is bytes already. */
export function parseSize(value: number | string): number {
  if (typeof value === 'number') return value;
  const match = SIZE_PATTERN.exec(value);
  if (!match) return Number.NaN;
  return Math.round(Number(match[1]) * SIZE_UNITS[(match[2] ?? 'b').toLowerCase()]!);
}

/** Options a caller (the CLI) may impose over the file, e.g. `--port`. */
export interface ServerOverrides {
  host?: string;
  port?: number;
}

export function configInputFromFile(
  file: ConfigFile,
  env: Record<string, string | undefined>,
  sourcePath: string | null,
  overrides: ServerOverrides = {},
): ConfigInput {
  const issues: ConfigIssue[] = [];
  return {
    server: {
      host: overrides.host ?? file.server.host,
      port: overrides.port ?? Number(file.server.port),
      bodyLimitBytes: parseSize(file.server.bodyLimit),
      auth: { keys: file.server.auth.keys.filter((key) => key.trim() !== '') },
    },
    providers: providersFromFile(file.providers, env, issues),
    models: Object.entries(file.models).map(([id, model]): CatalogModelInput => ({ ...model, id })),
    virtualModels: virtualModelsFromFile(file.virtualModels),
    inference: file.inference,
    store: { sqlitePath: file.store.sqlitePath?.trim() || null, databaseUrl: file.store.databaseUrl?.trim() || null },
    retention: file.retention,
    fallback: file.fallback,
    sourcePath,
    issues,
  };
}

function providersFromFile(
  entries: Record<string, ProviderFileEntry>,
  env: Record<string, string | undefined>,
  issues: ConfigIssue[],
): ProviderConfig[] {
  const listed = Object.entries(entries);
  if (listed.length === 0) {
    issues.push({ severity: 'info', path: ['providers'], message: 'no providers listed: taking them from ANTHROPIC_API_KEY, OPENROUTER_API_KEY, OPENAI_API_KEY' });
    return providersFromEnv(env);
  }
  const providers: ProviderConfig[] = [];
  for (const [id, entry] of listed) {
    if (!entry.enabled) {
      issues.push({ severity: 'info', path: ['providers', id, 'enabled'], message: `provider '${id}' is disabled` });
      continue;
    }
    const apiKey = entry.apiKey?.trim() || null;
    // A starter file lists every vendor with `${VENDOR_API_KEY:-}`; the ones whose key is unset simply drop out, as with
    // zero config. A local openai-compatible server usually needs no key at all.
    if (apiKey === null && entry.type !== 'openai-compatible') {
      issues.push({ severity: 'info', path: ['providers', id, 'apiKey'], message: `provider '${id}' has no API key: skipped` });
      continue;
    }
    let baseUrl = entry.baseUrl?.trim().replace(/\/+$/, '');
    if (!baseUrl) {
      if (entry.type === 'openai-compatible') {
        issues.push({ severity: 'error', path: ['providers', id, 'baseUrl'], message: `expected baseUrl for an openai-compatible provider (e.g. http://127.0.0.1:11434/v1), found nothing` });
        continue;
      }
      baseUrl = DEFAULT_BASE_URLS[entry.type];
    }
    // Like ANTHROPIC_BASE_URL, the Anthropic SDK's spelling without the version path is accepted.
    if (entry.type === 'anthropic' && !/\/v\d+$/.test(baseUrl)) baseUrl += '/v1';
    providers.push({ id, type: entry.type, baseUrl, apiKey, headers: entry.headers, timeouts: entry.timeouts, models: entry.models });
  }
  return providers;
}

/** A description for a virtual model the file gives none: the seed's own text when the map is the seed table. */
function describeVirtualModel(id: string, entry: VirtualModelFileEntry): string {
  const seed = DEFAULT_VIRTUAL_MODEL;
  const sameTable =
    id.toLowerCase() === seed.id &&
    JSON.stringify(entry.tiers) === JSON.stringify(seed.tiers) &&
    JSON.stringify(Object.entries(entry.modes).sort()) === JSON.stringify(Object.entries(seed.modes).sort()) &&
    entry.defaultTier === seed.defaultTier;
  if (sameTable) return seed.description;
  const tiers = Object.entries(entry.tiers).map(([tier, models]) => `${tier}: ${models.join(', ')}`);
  return `Automodel virtual model ${id}, routing by mode (${tiers.join('; ')}; default tier ${entry.defaultTier}).`;
}

function virtualModelsFromFile(entries: Record<string, VirtualModelFileEntry>): VirtualModelConfig[] {
  const fromFile = Object.entries(entries).map(([id, entry]): VirtualModelConfig => ({
    id,
    aliases: entry.aliases,
    tiers: entry.tiers,
    modes: entry.modes,
    defaultTier: entry.defaultTier,
    baselineTier: entry.baselineTier ?? (entry.tiers.reasoning ? 'reasoning' : entry.defaultTier),
    description: entry.description || describeVirtualModel(id, entry),
    overrides: entry.overrides as Record<string, Record<string, unknown>>,
  }));
  const redefinesDefault = fromFile.some((model) => model.id.toLowerCase() === DEFAULT_VIRTUAL_MODEL.id);
  // kilo/auto stays first so that model lists show it before the others.
  return redefinesDefault ? fromFile : [DEFAULT_VIRTUAL_MODEL, ...fromFile];
}
