import type { ProviderConfig, ProviderType } from './compiled.js';
import { DEFAULT_TIMEOUTS } from './defaults.js';

interface EnvProviderSpec {
  id: string;
  type: ProviderType;
  keyVariable: string;
  baseUrlVariable: string;
  defaultBaseUrl: string;
}

/** Zero-config providers, read as each vendor's own SDK reads its environment. Order is preference order. */
const ENV_PROVIDERS: readonly EnvProviderSpec[] = [
  { id: 'anthropic', type: 'anthropic', keyVariable: 'ANTHROPIC_API_KEY', baseUrlVariable: 'ANTHROPIC_BASE_URL', defaultBaseUrl: 'https://api.anthropic.com/v1' },
  { id: 'openrouter', type: 'openrouter', keyVariable: 'OPENROUTER_API_KEY', baseUrlVariable: 'OPENROUTER_BASE_URL', defaultBaseUrl: 'https://openrouter.ai/api/v1' },
  { id: 'openai', type: 'openai', keyVariable: 'OPENAI_API_KEY', baseUrlVariable: 'OPENAI_BASE_URL', defaultBaseUrl: 'https://api.openai.com/v1' },
];

export const PROVIDER_KEY_VARIABLES = ENV_PROVIDERS.map((spec) => spec.keyVariable);

/**
 * Providers from environment variables (pure: the environment is passed in). A provider is configured when its key is set.
 * The Anthropic SDK's base URL has no `/v1` (`https://api.anthropic.com`); both spellings are accepted.
 */
export function providersFromEnv(env: Record<string, string | undefined>): ProviderConfig[] {
  const providers: ProviderConfig[] = [];
  for (const spec of ENV_PROVIDERS) {
    const apiKey = env[spec.keyVariable]?.trim();
    if (!apiKey) continue;
    let baseUrl = (env[spec.baseUrlVariable]?.trim() || spec.defaultBaseUrl).replace(/\/+$/, '');
    if (spec.type === 'anthropic' && !/\/v\d+$/.test(baseUrl)) baseUrl += '/v1';
    // OPENAI_BASE_URL pointing anywhere but OpenAI means an OpenAI-compatible server (vLLM, LiteLLM, Ollama…), which is
    // asked for catalog models by their canonical ids.
    const type: ProviderType = spec.type === 'openai' && baseUrl !== spec.defaultBaseUrl ? 'openai-compatible' : spec.type;
    providers.push({
      id: spec.id,
      type,
      baseUrl,
      apiKey,
      headers: spec.type === 'openrouter' ? { 'x-title': 'Automodel' } : {},
      timeouts: { ...DEFAULT_TIMEOUTS },
      models: {},
    });
  }
  return providers;
}
