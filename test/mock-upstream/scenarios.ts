/**
 * The mock's content, as data. Formats (`openai-format.ts`, `anthropic-format.ts`) only render these tables; a test can
 * import them to know exactly what a scenario produces.
 */
import type { MockScenario, MockUsage } from './types.js';

/** The word every text chunk carries: chunk i of N is `TEXT_WORD + ' '` (the last one without the trailing space). */
export const TEXT_WORD = 'mock';

/** Default number of text chunks. */
export const DEFAULT_CHUNKS = 20;

/** Frames written before a mid-stream fault, unless the script says otherwise. */
export const DEFAULT_AFTER_FRAMES = 5;

/** Delay between frames under `slow-drip`, unless the script says otherwise. */
export const DEFAULT_SLOW_DRIP_MS = 50;

/** Usage reported when the request sets none (see `MockUsage` for how each provider shows it). */
export const DEFAULT_USAGE: Readonly<MockUsage> = {
  input: 100,
  output: 20,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
};

/** One tool call a scenario makes; `argumentFragments` joined is valid JSON, streamed piece by piece. */
export interface ScenarioToolCall {
  /** Suffix of the call id: OpenAI ids are `call_mock_<suffix>`, Anthropic ids `toolu_mock_<suffix>`. */
  idSuffix: string;
  name: string;
  argumentFragments: readonly string[];
}

/** What one scenario produces. */
export interface ScenarioContent {
  /** Reasoning text, streamed as these fragments; absent when the scenario has no thinking. */
  thinkingFragments?: readonly string[];
  /** Anthropic thinking signature (sent whole in one `signature_delta`). */
  thinkingSignature?: string;
  /** Whether the answer has the N text chunks of `TEXT_WORD`. */
  hasText: boolean;
  /** Text said before tool calls (a single chunk); absent when none. */
  toolPreamble?: string;
  toolCalls: readonly ScenarioToolCall[];
  /** Overrides of the default usage for this scenario (request-set usage still wins). */
  usage?: Partial<MockUsage>;
}

const READ_FILE_CALL: ScenarioToolCall = {
  idSuffix: '1',
  name: 'read_file',
  argumentFragments: ['{"pa', 'th": "src/', 'server/app', '.ts"}'],
};

const LIST_FILES_CALL: ScenarioToolCall = {
  idSuffix: '2',
  name: 'list_files',
  argumentFragments: ['{"path": "', 'test", "recu', 'rsive": ', 'true}'],
};

const THINKING_FRAGMENTS = [
  'The user wants a change ',
  'in the server. ',
  'First I should look ',
  'at the existing code.',
];

/** Signature bytes are opaque to clients; this one is fixed so tests can compare it. */
const THINKING_SIGNATURE = 'bW9jay1zaWduYXR1cmUtZm9yLXRoaW5raW5nLWJsb2Nr';

/** The scenario table. */
export const SCENARIOS: Readonly<Record<MockScenario, ScenarioContent>> = {
  text: { hasText: true, toolCalls: [] },
  'tool-calls': {
    hasText: false,
    toolPreamble: 'I will read both places.',
    toolCalls: [READ_FILE_CALL, LIST_FILES_CALL],
  },
  thinking: {
    thinkingFragments: THINKING_FRAGMENTS,
    thinkingSignature: THINKING_SIGNATURE,
    hasText: true,
    toolCalls: [],
    usage: { reasoning: 12 },
  },
  'thinking-tool': {
    thinkingFragments: THINKING_FRAGMENTS,
    thinkingSignature: THINKING_SIGNATURE,
    hasText: false,
    toolCalls: [READ_FILE_CALL],
    usage: { reasoning: 12 },
  },
};

/** The N text chunks of the answer. */
export function textChunks(count: number): string[] {
  const chunks: string[] = [];
  for (let index = 0; index < count; index++) {
    chunks.push(index === count - 1 ? TEXT_WORD : `${TEXT_WORD} `);
  }
  return chunks;
}

/** Models listed by `GET .../models`, per provider id style. */
export const MODEL_TABLE = {
  anthropic: [
    { id: 'claude-opus-4-5', displayName: 'Claude Opus 4.5', contextLength: 200_000 },
    { id: 'claude-sonnet-4-5', displayName: 'Claude Sonnet 4.5', contextLength: 200_000 },
  ],
  openrouter: [
    { id: 'anthropic/claude-opus-4.5', displayName: 'Anthropic: Claude Opus 4.5', contextLength: 200_000, prompt: '0.000005', completion: '0.000025' },
    { id: 'anthropic/claude-sonnet-4.5', displayName: 'Anthropic: Claude Sonnet 4.5', contextLength: 1_000_000, prompt: '0.000003', completion: '0.000015' },
  ],
  openai: [{ id: 'gpt-4o-mini', displayName: 'GPT-4o mini', contextLength: 128_000 }],
} as const;

/**
 * OpenRouter's `usage.cost` when the script gives none: Sonnet-like prices per million tokens (input 3, cache read 0.3,
 * cache write 3.75, output 15), rounded to 1e-9 so the figure is exact in JSON.
 */
export function openrouterCost(usage: MockUsage): number {
  const micro = usage.input * 3 + usage.cacheRead * 0.3 + usage.cacheWrite * 3.75 + usage.output * 15;
  return Math.round(micro * 1000) / 1e9;
}
