import { createCatalog } from '../catalog/catalog.js';
import { BUILTIN_MODELS, type CatalogModel } from '../catalog/models.js';
import type { CompiledConfig, ProviderConfig, VirtualModelConfig } from './compiled.js';
import {
  DEFAULT_BODY_LIMIT_BYTES,
  DEFAULT_HOST,
  DEFAULT_INFERENCE_THRESHOLD,
  DEFAULT_PORT,
  DEFAULT_VIRTUAL_MODEL,
} from './defaults.js';

/** The inputs of a compiled config, every one optional: what is left out takes the zero-config default. */
export interface ConfigInput {
  server?: Partial<CompiledConfig['server']>;
  providers?: ProviderConfig[];
  models?: CatalogModel[];
  virtualModels?: VirtualModelConfig[];
  inference?: Partial<CompiledConfig['inference']>;
}

/**
 * PURE: validated inputs → the immutable object the server reads. Problems that do not stop the gateway (no provider,
 * a tier naming a model the catalog lacks) become diagnostics rather than exceptions.
 */
export function compileConfig(input: ConfigInput = {}): CompiledConfig {
  const diagnostics: string[] = [];
  const models = new Map<string, CatalogModel>();
  for (const model of BUILTIN_MODELS) models.set(model.id, model);
  for (const model of input.models ?? []) models.set(model.id, model);
  const catalog = createCatalog([...models.values()]);

  const virtualModels = new Map<string, VirtualModelConfig>();
  for (const virtualModel of input.virtualModels ?? [DEFAULT_VIRTUAL_MODEL]) {
    for (const name of [virtualModel.id, ...virtualModel.aliases]) virtualModels.set(name.toLowerCase(), virtualModel);
    for (const [tier, ids] of Object.entries(virtualModel.tiers)) {
      for (const id of ids) if (!catalog.find(id)) diagnostics.push(`${virtualModel.id}: tier '${tier}' names '${id}', which is not in the catalog`);
    }
  }

  const providers = input.providers ?? [];
  if (providers.length === 0) {
    diagnostics.push(
      'No upstream provider is configured: set ANTHROPIC_API_KEY, OPENROUTER_API_KEY or OPENAI_API_KEY (and *_BASE_URL for another endpoint). Requests are answered with a 503 until then.',
    );
  }

  return {
    server: {
      host: input.server?.host ?? DEFAULT_HOST,
      port: input.server?.port ?? DEFAULT_PORT,
      bodyLimitBytes: input.server?.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES,
    },
    providers,
    catalog,
    virtualModels,
    inference: {
      enabled: input.inference?.enabled ?? true,
      threshold: input.inference?.threshold ?? DEFAULT_INFERENCE_THRESHOLD,
    },
    diagnostics,
  };
}
