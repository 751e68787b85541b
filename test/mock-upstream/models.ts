/**
 * `GET .../models` bodies in each provider's list shape.
 * @see OpenAI "List models" (`{object:"list", data:[{id, object:"model", created, owned_by}]}`),
 *   Anthropic "List Models" (`{data:[{type:"model", id, display_name, created_at}], has_more, first_id, last_id}`),
 *   OpenRouter "List available models" (`context_length`, `pricing`, `architecture`, `top_provider`).
 */
import { MOCK_CREATED } from './openai-format.js';
import { MODEL_TABLE } from './scenarios.js';
import type { MockFlavour } from './types.js';

/** The model list for a flavour. */
export function modelsBody(flavour: MockFlavour): Record<string, unknown> {
  if (flavour === 'anthropic') {
    const data = MODEL_TABLE.anthropic.map((model) => ({
      type: 'model',
      id: model.id,
      display_name: model.displayName,
      created_at: '2025-11-24T00:00:00Z',
    }));
    return { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
  }
  if (flavour === 'openrouter') {
    return {
      data: MODEL_TABLE.openrouter.map((model) => ({
        id: model.id,
        canonical_slug: model.id,
        name: model.displayName,
        created: MOCK_CREATED,
        description: 'Mock model.',
        context_length: model.contextLength,
        architecture: {
          modality: 'text+image->text',
          input_modalities: ['text', 'image'],
          output_modalities: ['text'],
          tokenizer: 'Claude',
          instruct_type: null,
        },
        pricing: { prompt: model.prompt, completion: model.completion, request: '0', image: '0' },
        top_provider: { context_length: model.contextLength, max_completion_tokens: 64_000, is_moderated: false },
        supported_parameters: ['max_tokens', 'temperature', 'tools', 'tool_choice', 'reasoning', 'stop'],
      })),
    };
  }
  return {
    object: 'list',
    data: MODEL_TABLE.openai.map((model) => ({ id: model.id, object: 'model', created: MOCK_CREATED, owned_by: 'mock' })),
  };
}
