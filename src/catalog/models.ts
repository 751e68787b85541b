/**
 * The model catalog, as data. Each entry names one model, its id at each provider, its limits and its prices in USD per
 * million tokens, with the source of every figure. Config can extend or override entries; the router and the cost
 * accounting read only this table (through `createCatalog`).
 *
 * Price conventions (Anthropic's pricing page): `cacheWrite` is the 5-minute cache write (1.25x input), `cacheRead` a
 * cache hit (0.1x input unless the page says otherwise). Long-context or batch surcharges/discounts are not modelled.
 */

export interface ModelPrices {
  /** USD per million input tokens (uncached). */
  input: number;
  /** USD per million output tokens (reasoning tokens included). */
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface CatalogModel {
  /** Canonical id, the Anthropic API id without a date suffix. */
  id: string;
  name: string;
  description: string;
  /** The id each provider knows this model by. */
  providerIds: { anthropic?: string; openrouter?: string; openai?: string };
  contextWindow: number;
  maxOutputTokens: number;
  inputModalities: Array<'text' | 'image' | 'file'>;
  prices: ModelPrices;
  /** Where the figures come from. */
  source: string;
  status: 'active' | 'legacy' | 'deprecated';
  /** Anything a user should know (retirement dates, pricing bands not modelled). */
  note?: string;
}

const CLAUDE_DOCS = 'Anthropic models overview and model pages (platform.claude.com/docs, models/<model>/overview), read 2026-11-26';

export const BUILTIN_MODELS: readonly CatalogModel[] = [
  {
    id: 'claude-opus-4-5',
    name: 'Claude Opus 4.5',
    description: 'Anthropic Claude Opus 4.5: the seed table\'s reasoning-tier model for planning, architecture and questions.',
    providerIds: { anthropic: 'claude-opus-4-5', openrouter: 'anthropic/claude-opus-4.5' },
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    source: `${CLAUDE_DOCS}; opus-4-5 page: $5/$25, 200K window, 64K output`,
    status: 'legacy',
  },
  {
    id: 'claude-sonnet-4-5',
    name: 'Claude Sonnet 4.5',
    description: 'Anthropic Claude Sonnet 4.5: the seed table\'s implementation-tier model for coding, building and debugging.',
    providerIds: { anthropic: 'claude-sonnet-4-5', openrouter: 'anthropic/claude-sonnet-4.5' },
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    source: `${CLAUDE_DOCS}; sonnet-4-5 page: $3/$15, 200K window, 64K output`,
    status: 'deprecated',
    note: 'Anthropic lists Sonnet 4.5 as deprecated, retiring 2026-11-30; map the implementation tier to claude-sonnet-5-5 in automodel.yaml before then.',
  },
  {
    id: 'claude-haiku-4-5',
    name: 'Claude Haiku 4.5',
    description: 'Anthropic Claude Haiku 4.5: fast and cheap, for small side calls.',
    providerIds: { anthropic: 'claude-haiku-4-5', openrouter: 'anthropic/claude-haiku-4.5' },
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 },
    source: `${CLAUDE_DOCS}; comparison table: Haiku 4.5 200K/64K, $1/$5`,
    status: 'active',
  },
  {
    id: 'claude-opus-4-1',
    name: 'Claude Opus 4.1',
    description: 'Anthropic Claude Opus 4.1 (legacy).',
    providerIds: { anthropic: 'claude-opus-4-1', openrouter: 'anthropic/claude-opus-4.1' },
    contextWindow: 200_000,
    maxOutputTokens: 32_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 },
    source: `${CLAUDE_DOCS}; legacy models table: $15/$75`,
    status: 'legacy',
  },
  {
    id: 'claude-sonnet-4',
    name: 'Claude Sonnet 4',
    description: 'Anthropic Claude Sonnet 4 (legacy).',
    providerIds: { anthropic: 'claude-sonnet-4-0', openrouter: 'anthropic/claude-sonnet-4' },
    contextWindow: 200_000,
    maxOutputTokens: 64_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    source: `${CLAUDE_DOCS}; legacy models table: $3/$15`,
    status: 'legacy',
  },
  {
    id: 'claude-opus-5',
    name: 'Claude Opus 5',
    description: 'Anthropic Claude Opus 5 (legacy since Opus 5.5).',
    providerIds: { anthropic: 'claude-opus-5', openrouter: 'anthropic/claude-opus-5' },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 },
    source: `${CLAUDE_DOCS}; opus-5 page: $5/$25, 5m cache write $6.25, cache read $0.50, 1M/128K`,
    status: 'legacy',
  },
  {
    id: 'claude-sonnet-5',
    name: 'Claude Sonnet 5',
    description: 'Anthropic Claude Sonnet 5 (legacy since Sonnet 5.5).',
    providerIds: { anthropic: 'claude-sonnet-5', openrouter: 'anthropic/claude-sonnet-5' },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 },
    source: `${CLAUDE_DOCS}; sonnet-5 page: $2/$10, 5m cache write $2.50, cache read $0.20, 1M/128K`,
    status: 'legacy',
  },
  {
    id: 'claude-opus-5-5',
    name: 'Claude Opus 5.5',
    description: 'Anthropic Claude Opus 5.5: the current Opus model.',
    providerIds: { anthropic: 'claude-opus-5-5', openrouter: 'anthropic/claude-opus-5.5' },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 4, output: 20, cacheRead: 0.4, cacheWrite: 5 },
    source: `${CLAUDE_DOCS}; comparison table: Opus 5.5 $4/$20, 1M/128K; cache prices at the standard 1.25x/0.1x multipliers`,
    status: 'active',
  },
  {
    id: 'claude-sonnet-5-5',
    name: 'Claude Sonnet 5.5',
    description: 'Anthropic Claude Sonnet 5.5: the current Sonnet model.',
    providerIds: { anthropic: 'claude-sonnet-5-5', openrouter: 'anthropic/claude-sonnet-5.5' },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 },
    source: `${CLAUDE_DOCS}; sonnet-5-5 page: $2/$10, 5m cache write $2.50; cache read cut from $0.20 to $0.10 on 2026-10-07 (pricing changelog)`,
    status: 'active',
  },
  {
    id: 'claude-haiku-5-5',
    name: 'Claude Haiku 5.5',
    description: 'Anthropic Claude Haiku 5.5: the current Haiku model.',
    providerIds: { anthropic: 'claude-haiku-5-5', openrouter: 'anthropic/claude-haiku-5.5' },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 0.1, output: 0.5, cacheRead: 0.01, cacheWrite: 0.125 },
    source: `${CLAUDE_DOCS}; comparison table: Haiku 5.5 "from $0.10/$0.50"`,
    status: 'active',
    note: 'Priced in two bands; prompts over 100K tokens cost 5x. Only the lower band is modelled.',
  },
  {
    id: 'claude-fable-5-1',
    name: 'Claude Fable 5.1',
    description: 'Anthropic Claude Fable 5.1: the largest current model.',
    providerIds: { anthropic: 'claude-fable-5-1', openrouter: 'anthropic/claude-fable-5.1' },
    contextWindow: 1_000_000,
    maxOutputTokens: 128_000,
    inputModalities: ['text', 'image', 'file'],
    prices: { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 },
    source: `${CLAUDE_DOCS}; comparison table: Fable 5.1 $10/$50, 1M/128K; cache prices at the standard 1.25x/0.1x multipliers`,
    status: 'active',
  },
];
