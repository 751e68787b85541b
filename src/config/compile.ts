import { createCatalog } from '../catalog/catalog.js';
import { BUILTIN_MODELS, type CatalogModel, type ModelPrices } from '../catalog/models.js';
import type { CompiledConfig, ConfigIssue, FallbackPolicy, ProviderConfig, VirtualModelConfig } from './compiled.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  DEFAULT_INFERENCE_THRESHOLD,
  DEFAULT_PORT,
  DEFAULT_VIRTUAL_MODEL,
} from './defaults.js';
import { DEFAULT_FALLBACK, DEFAULT_RETENTION_DAYS } from './schema.js';
import { closest } from './suggest.js';

/**
 * A catalog entry as config gives it: for a built-in id, any subset of fields overrides the built-in values (prices merge
 * field by field); a new id needs at least `contextWindow` and `prices.input`/`prices.output`.
 */
export type CatalogModelInput = { id: string } & Partial<Omit<CatalogModel, 'id' | 'prices' | 'providerIds'>> & {
  prices?: Partial<ModelPrices>;
  providerIds?: CatalogModel['providerIds'];
};

/** The inputs of a compiled config, every one optional: what is left out takes the zero-config default. */
export interface ConfigInput {
  server?: Partial<CompiledConfig['server']>;
  providers?: ProviderConfig[];
  /** Added to, or overriding, the built-in catalog. */
  models?: CatalogModelInput[];
  /** The complete list of virtual models; left out = the seed table's `kilo/auto`. */
  virtualModels?: VirtualModelConfig[];
  inference?: Partial<CompiledConfig['inference']>;
  store?: Partial<CompiledConfig['store']>;
  retention?: Partial<CompiledConfig['retention']>;
  fallback?: Partial<Omit<FallbackPolicy, 'breaker'>> & { breaker?: Partial<FallbackPolicy['breaker']> };
  sourcePath?: string | null;
  /** Issues found before compiling (while reading the file), carried into the result. */
  issues?: ConfigIssue[];
}

/**
 * Request fields an override may not set. The gateway decides `stream` handling from the client's own body before the
 * overrides apply, so flipping it makes every request in that mode fail (the response is read in the wrong shape);
 * `model` is always replaced by the routed model; `messages` is the conversation itself.
 */
const RESERVED_OVERRIDE_FIELDS: Record<string, string> = {
  stream: 'the client chooses streaming (an override would make the gateway read the answer in the wrong shape)',
  model: 'the gateway sets the routed model (map the mode to a tier instead)',
  messages: 'it is the conversation itself',
};

const NO_PROVIDER_MESSAGE =
  'No upstream provider is configured: set ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY (and *_BASE_URL for another endpoint). Requests are answered with a 503 until then.';

/**
 * PURE: validated inputs → the immutable object the server reads. It never throws on a bad reference: every problem
 * becomes an issue with a path (errors: a tier naming a model the catalog lacks, a mode mapped to a missing tier;
 * warnings: no provider, a model no provider serves), so one run reports them all.
 */
export function compileConfig(input: ConfigInput = {}): CompiledConfig {
  const issues: ConfigIssue[] = [...(input.issues ?? [])];
  const error = (path: ConfigIssue['path'], message: string) => issues.push({ severity: 'error', path, message });
  const warning = (path: ConfigIssue['path'], message: string) => issues.push({ severity: 'warning', path, message });

  const models = new Map<string, CatalogModel>();
  for (const model of BUILTIN_MODELS) models.set(model.id, model);
  for (const entry of input.models ?? []) {
    const model = mergeModel(models.get(entry.id), entry, (field, message) => error(['models', entry.id, ...field], message));
    if (model) models.set(model.id, model);
  }
  const catalog = createCatalog([...models.values()]);
  const providers = input.providers ?? [];

  const virtualModels = new Map<string, VirtualModelConfig>();
  for (const source of input.virtualModels ?? [DEFAULT_VIRTUAL_MODEL]) {
    const base: ConfigIssue['path'] = ['virtualModels', source.id];
    const virtualModel = normalizeVirtualModel(source);
    for (const [index, alias] of [virtualModel.id, ...virtualModel.aliases].entries()) {
      const key = alias.toLowerCase();
      const owner = virtualModels.get(key);
      const where = index === 0 ? base : [...base, 'aliases', index - 1];
      if (owner) error(where, `'${alias}' is already the name of virtual model '${owner.id}'`);
      else virtualModels.set(key, virtualModel);
      if (catalog.find(alias)) warning(where, `'${alias}' is also a catalog model id; requests for it get the virtual model`);
    }
    const tierNames = Object.keys(virtualModel.tiers);
    const tierList = tierNames.map((tier) => `'${tier}'`).join(', ') || 'none';
    for (const [tier, ids] of Object.entries(virtualModel.tiers)) {
      if (ids.length === 0) error([...base, 'tiers', tier], `tier '${tier}' lists no model`);
      ids.forEach((id, index) => {
        const model = catalog.find(id);
        if (!model) {
          const suggestion = closest(id, [...models.keys()]);
          const hint = suggestion ? `did you mean '${suggestion}'? Or add it under models:` : 'add it under models:';
          error([...base, 'tiers', tier, index], `tier '${tier}' names unknown model '${id}' (not in the catalog; ${hint})`);
        }
        else if (providers.length > 0 && !providers.some((provider) => serves(provider, model))) {
          warning([...base, 'tiers', tier, index], `no configured provider (${providers.map((provider) => provider.id).join(', ')}) serves '${id}'`);
        }
      });
    }
    const seenModes = new Set<string>();
    for (const [mode, tier] of Object.entries(source.modes)) {
      const slug = mode.trim().toLowerCase();
      if (seenModes.has(slug)) error([...base, 'modes', mode], `mode '${slug}' is mapped twice (slugs compare case-insensitively)`);
      seenModes.add(slug);
      if (!virtualModel.tiers[tier]) {
        const suggestion = closest(tier, tierNames);
        error([...base, 'modes', mode], `mode '${slug}' maps to unknown tier '${tier}'${suggestion ? `; did you mean '${suggestion}'?` : ''} (tiers: ${tierList})`);
      }
    }
    for (const field of ['defaultTier', 'baselineTier'] as const) {
      const repeated = field === 'baselineTier' && virtualModel.baselineTier === virtualModel.defaultTier;
      if (!repeated && !virtualModel.tiers[virtualModel[field]]) error([...base, field], `${field} '${virtualModel[field]}' is not one of the tiers (${tierList})`);
    }
    for (const [mode, fields] of Object.entries(virtualModel.overrides ?? {})) {
      if (virtualModel.modes[mode] === undefined) {
        warning([...base, 'overrides', mode], `overrides for mode '${mode}', which is not in modes (it still applies when a request names that mode)`);
      }
      for (const field of Object.keys(fields)) {
        const why = RESERVED_OVERRIDE_FIELDS[field];
        if (why) error([...base, 'overrides', mode, field], `overrides cannot set '${field}': ${why}`);
      }
    }
  }

  for (const provider of providers) {
    if (!/^https?:\/\//.test(provider.baseUrl)) error(['providers', provider.id, 'baseUrl'], `expected an http(s) URL, found "${provider.baseUrl}"`);
  }
  if (providers.length === 0) warning(['providers'], NO_PROVIDER_MESSAGE);

  const fallback = input.fallback ?? {};
  return {
    server: {
      host: input.server?.host ?? DEFAULT_HOST,
      port: input.server?.port ?? DEFAULT_PORT,
      bodyLimitBytes: input.server?.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
      auth: { keys: (input.server?.auth?.keys ?? []).filter((key) => key !== '') },
    },
    providers,
    catalog,
    virtualModels,
    inference: {
      enabled: input.inference?.enabled ?? true,
      threshold: input.inference?.threshold ?? DEFAULT_INFERENCE_THRESHOLD,
    },
    store: { sqlitePath: input.store?.sqlitePath || null, databaseUrl: input.store?.databaseUrl || null },
    retention: { days: input.retention?.days ?? DEFAULT_RETENTION_DAYS },
    fallback: {
      crossTiers: fallback.crossTiers ?? DEFAULT_FALLBACK.crossTiers,
      retries: fallback.retries ?? DEFAULT_FALLBACK.retries,
      breaker: {
        failureThreshold: fallback.breaker?.failureThreshold ?? DEFAULT_FALLBACK.breaker.failureThreshold,
        cooldownMs: fallback.breaker?.cooldownMs ?? DEFAULT_FALLBACK.breaker.cooldownMs,
      },
    },
    sourcePath: input.sourcePath ?? null,
    issues,
    diagnostics: issues.filter((issue) => issue.severity !== 'info').map((issue) => issue.message),
  };
}

/** True when compiling found no error (warnings allowed). */
export function hasErrors(config: Pick<CompiledConfig, 'issues'>): boolean {
  return config.issues.some((issue) => issue.severity === 'error');
}

/** Mode slugs compare trimmed and lower-cased, as the router normalises them. */
function normalizeVirtualModel(source: VirtualModelConfig): VirtualModelConfig {
  const lower = <T>(record: Record<string, T>) => Object.fromEntries(Object.entries(record).map(([key, value]) => [key.trim().toLowerCase(), value]));
  return {
    ...source,
    modes: lower(source.modes),
    ...(source.overrides ? { overrides: lower(source.overrides) } : {}),
  };
}

function mergeModel(
  builtin: CatalogModel | undefined,
  entry: CatalogModelInput,
  report: (field: Array<string | number>, message: string) => void,
): CatalogModel | null {
  if (builtin) {
    return {
      ...builtin,
      ...definedFields(entry),
      providerIds: { ...builtin.providerIds, ...entry.providerIds },
      prices: { ...builtin.prices, ...definedFields(entry.prices ?? {}) },
    };
  }
  const missing: Array<[Array<string | number>, string]> = [];
  if (entry.contextWindow === undefined) missing.push([['contextWindow'], 'contextWindow']);
  if (entry.prices?.input === undefined) missing.push([['prices', 'input'], 'prices.input']);
  if (entry.prices?.output === undefined) missing.push([['prices', 'output'], 'prices.output']);
  for (const [field, label] of missing) {
    report(field, `'${entry.id}' is not a built-in model, so ${label} is required (use 0 for a local model's prices)`);
  }
  if (missing.length > 0) return null;
  const input = entry.prices!.input!;
  return {
    name: entry.id,
    description: '',
    inputModalities: ['text'],
    source: 'automodel.yaml',
    status: 'active',
    maxOutputTokens: entry.contextWindow!,
    ...definedFields(entry),
    id: entry.id,
    contextWindow: entry.contextWindow!,
    providerIds: { ...entry.providerIds },
    // Without stated cache prices, assume no cache discount: better to over- than under-report cost.
    prices: { input, output: entry.prices!.output!, cacheRead: entry.prices?.cacheRead ?? input, cacheWrite: entry.prices?.cacheWrite ?? input },
  };
}

function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** Mirrors the router's rule for which provider can serve a catalog model (used only for a warning). */
function serves(provider: ProviderConfig, model: CatalogModel): boolean {
  switch (provider.type) {
    case 'anthropic':
      return model.providerIds.anthropic !== undefined;
    case 'openrouter':
      return model.providerIds.openrouter !== undefined;
    case 'openai':
      return model.providerIds.openai !== undefined || provider.models[model.id] !== undefined;
    case 'openai-compatible':
      return provider.models[model.id] !== undefined || Object.keys(provider.models).length === 0;
  }
}
