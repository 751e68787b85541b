import type { CatalogModel } from '../../catalog/models.js';
import type { CompiledConfig, VirtualModelConfig } from '../../config/compiled.js';
import { providerModelId } from '../../router/decide.js';

/** Catalog models a configured provider can serve (all of them when none is configured, so clients can still list them). */
function servedModels(config: CompiledConfig): CatalogModel[] {
  if (config.providers.length === 0) return [...config.catalog.models];
  return config.catalog.models.filter((model) => config.providers.some((provider) => providerModelId(provider, model) !== undefined));
}

function uniqueVirtualModels(config: CompiledConfig): VirtualModelConfig[] {
  return [...new Set(config.virtualModels.values())];
}

/** OpenAI's model list: virtual models and their aliases first, then concrete models. */
export function openaiModelList(config: CompiledConfig): unknown {
  const data: Array<{ id: string; object: 'model'; created: number; owned_by: string }> = [];
  for (const virtualModel of uniqueVirtualModels(config)) {
    for (const id of [virtualModel.id, ...virtualModel.aliases]) data.push({ id, object: 'model', created: 0, owned_by: 'automodel' });
  }
  for (const model of servedModels(config)) data.push({ id: model.id, object: 'model', created: 0, owned_by: 'anthropic' });
  return { object: 'list', data };
}

/** USD per million tokens → OpenRouter's USD per token, as a decimal string. */
function perToken(perMillion: number): string {
  return (perMillion / 1_000_000).toFixed(12).replace(/0+$/, '').replace(/\.$/, '');
}

const SUPPORTED_PARAMETERS = [
  'max_tokens',
  'temperature',
  'top_p',
  'stop',
  'tools',
  'tool_choice',
  'reasoning',
  'include_reasoning',
  'response_format',
];

function openRouterEntry(
  id: string,
  name: string,
  description: string,
  contextLength: number,
  maxOutput: number,
  prices: CatalogModel['prices'],
  modalities: string[],
) {
  return {
    id,
    canonical_slug: id,
    name,
    created: 0,
    description,
    context_length: contextLength,
    max_completion_tokens: maxOutput,
    architecture: { modality: 'text+image->text', input_modalities: modalities, output_modalities: ['text'], tokenizer: 'Claude', instruct_type: null },
    pricing: {
      prompt: perToken(prices.input),
      completion: perToken(prices.output),
      request: '0',
      image: '0',
      input_cache_read: perToken(prices.cacheRead),
      input_cache_write: perToken(prices.cacheWrite),
    },
    top_provider: { context_length: contextLength, max_completion_tokens: maxOutput, is_moderated: false },
    per_request_limits: null,
    supported_parameters: SUPPORTED_PARAMETERS,
  };
}

/**
 * The Kilo gateway's model list, in OpenRouter's entry shape (the Kilo CLI refuses entries without it). A virtual model is
 * listed with its default tier's prices and the smallest window among its models, so a client never overfills it.
 */
export function openRouterModelList(config: CompiledConfig): unknown {
  const data: unknown[] = [];
  for (const virtualModel of uniqueVirtualModels(config)) {
    const models = Object.values(virtualModel.tiers)
      .flat()
      .map((id) => config.catalog.find(id))
      .filter((model): model is CatalogModel => model !== undefined);
    const defaultModel = config.catalog.find(virtualModel.tiers[virtualModel.defaultTier]?.[0] ?? '') ?? models[0];
    if (!defaultModel) continue;
    const contextLength = Math.min(...models.map((model) => model.contextWindow));
    const maxOutput = Math.min(...models.map((model) => model.maxOutputTokens));
    for (const id of [virtualModel.id, ...virtualModel.aliases]) {
      data.push(openRouterEntry(id, id === virtualModel.id ? 'Automodel: Auto' : `Automodel: ${id}`, virtualModel.description, contextLength, maxOutput, defaultModel.prices, ['text', 'image']));
    }
  }
  for (const model of servedModels(config)) {
    data.push(
      openRouterEntry(
        model.providerIds.openrouter ?? model.id,
        `Anthropic: ${model.name}`,
        model.description,
        model.contextWindow,
        model.maxOutputTokens,
        model.prices,
        model.inputModalities,
      ),
    );
  }
  return { data };
}
