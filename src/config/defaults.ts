import type { VirtualModelConfig } from './compiled.js';

/**
 * The zero-config routing table, exactly as Kilo Code's Auto Model documents it: planning modes on Claude Opus 4.5,
 * implementation modes (and anything without a mode) on Claude Sonnet 4.5.
 */
export const REASONING_MODES = ['architect', 'orchestrator', 'ask', 'plan', 'general'] as const;
export const IMPLEMENTATION_MODES = ['code', 'build', 'debug', 'explore'] as const;

export const DEFAULT_VIRTUAL_MODEL: VirtualModelConfig = {
  id: 'kilo/auto',
  aliases: ['auto'],
  tiers: {
    reasoning: ['claude-opus-4-5'],
    implementation: ['claude-sonnet-4-5'],
  },
  modes: Object.fromEntries([
    ...REASONING_MODES.map((mode) => [mode, 'reasoning']),
    ...IMPLEMENTATION_MODES.map((mode) => [mode, 'implementation']),
  ]),
  defaultTier: 'implementation',
  baselineTier: 'reasoning',
  description:
    'Automodel: routes each request by the agent\'s mode. Planning modes (architect, orchestrator, ask, plan, general) go to Claude Opus 4.5; implementation modes (code, build, debug, explore) and requests without a mode go to Claude Sonnet 4.5.',
};

export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 4100;
export const DEFAULT_BODY_LIMIT_BYTES = 10 * 1024 * 1024;
export const DEFAULT_INFERENCE_THRESHOLD = 0.6;

export const DEFAULT_TIMEOUTS = {
  connectMs: 10_000,
  /** Non-streaming answers arrive whole, after the model has finished: allow for long generations. */
  firstByteMs: 600_000,
  /** Streaming answers send headers at once; a silent upstream here is a fault worth failing over. */
  streamFirstByteMs: 60_000,
  /** Longest silence inside a stream before it counts as stalled. */
  idleMs: 120_000,
};
