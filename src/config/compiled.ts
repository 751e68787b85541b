import type { Catalog } from '../catalog/catalog.js';
import type { ClientProtocol } from '../usage/types.js';

export type ProviderType = 'anthropic' | 'openai' | 'openrouter' | 'openai-compatible';

/** One upstream endpoint with its credentials. The key never leaves the upstream client: not in logs, errors or decisions. */
export interface ProviderConfig {
  id: string;
  type: ProviderType;
  /** As the official SDKs take it: ends with the version path (`https://api.anthropic.com/v1`, `https://openrouter.ai/api/v1`). */
  baseUrl: string;
  apiKey: string | null;
  /** Extra headers sent on every call (e.g. OpenRouter attribution). */
  headers: Record<string, string>;
  timeouts: { connectMs: number; firstByteMs: number; streamFirstByteMs: number; idleMs: number };
  /** For `openai-compatible`: catalog id (or any id) → the id this endpoint knows the model by. */
  models: Record<string, string>;
}

/** The wire protocol a provider type speaks. */
export function providerProtocol(type: ProviderType): ClientProtocol {
  return type === 'anthropic' ? 'anthropic-messages' : 'openai-chat';
}

/** A virtual model such as `kilo/auto`: modes map to tiers, tiers to ordered model lists. */
export interface VirtualModelConfig {
  id: string;
  aliases: string[];
  /** Tier name → ordered catalog model ids (first is preferred, the rest are same-tier fallbacks). */
  tiers: Record<string, string[]>;
  /** Mode slug (lower-case) → tier name. */
  modes: Record<string, string>;
  /** Tier for requests with no mode or an unknown one. */
  defaultTier: string;
  /** Tier whose first model prices the "always the strongest model" baseline. */
  baselineTier: string;
  description: string;
  /**
   * Mode slug (lower-case) → top-level request fields the gateway sets on requests routed in that mode (they replace the
   * client's value), e.g. `plan: { max_tokens: 32000 }`. Written in the client's protocol. Absent = none.
   */
  overrides?: Record<string, Record<string, unknown>>;
}

/** A problem found while loading or compiling a config. Errors make `config check` fail and a reload keep the old config. */
export interface ConfigIssue {
  severity: 'error' | 'warning' | 'info';
  /** Where in the file: `['virtualModels', 'kilo/auto', 'tiers', 'reasoning', 1]`; [] for the file as a whole. */
  path: Array<string | number>;
  message: string;
}

/** Retry, fallback and circuit-breaker policy for the attempt loop. */
export interface FallbackPolicy {
  /** After every candidate of the decided tier failed, try the other tiers' models. */
  crossTiers: boolean;
  /** Further rounds over the whole candidate list after all failed retryably (backoff with jitter, retry-after honoured). */
  retries: number;
  breaker: { failureThreshold: number; cooldownMs: number };
}

/** Everything the server reads, compiled once from the config file and environment; swapped whole on reload. */
export interface CompiledConfig {
  server: {
    host: string;
    port: number;
    bodyLimitBytes: number;
    /** Gateway keys clients must send (`Authorization: Bearer` or `x-api-key`); empty = no client auth. */
    auth: { keys: string[] };
  };
  providers: ProviderConfig[];
  catalog: Catalog;
  /** Lower-cased id and alias → virtual model. */
  virtualModels: Map<string, VirtualModelConfig>;
  inference: { enabled: boolean; threshold: number };
  /** Usage store; null = not set in config, so the environment decides (DATABASE_URL, AUTOMODEL_DB, ./automodel.db). */
  store: { sqlitePath: string | null; databaseUrl: string | null };
  /** Usage rows older than this many days are pruned. */
  retention: { days: number };
  fallback: FallbackPolicy;
  /** The file this config was loaded from; null for zero config. */
  sourcePath: string | null;
  /** Every problem with its severity and path; `diagnostics` holds the warning and error messages as text. */
  issues: ConfigIssue[];
  /** Problems found while compiling that did not stop it (e.g. "no provider configured"). */
  diagnostics: string[];
}
