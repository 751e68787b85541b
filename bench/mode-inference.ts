/**
 * The mode-inference row of the benchmark, measured in-process: the median cost of `inferMode` on an agent request with
 * a 30 KB system prompt and 20 tools (both client protocols), and `decide()` on the same request with and without a
 * `x-kilocode-mode` header, counting how often decide calls inference. With a header the count must be 0: inference
 * then adds nothing to the request path.
 */
import { loadConfig } from '../src/config/load.js';
import { decide } from '../src/router/decide.js';
import { inferMode } from '../src/router/infer-mode.js';
import { estimateInputTokens } from '../src/tokens/estimate.js';
import type { ClientProtocol } from '../src/usage/types.js';

/** One measured case. */
export interface ModeInferenceRow {
  name: string;
  /** Median microseconds per call. */
  medianMicroseconds: number;
  /** How many times `decide` invoked inference per call (1 or 0); null for rows that call inferMode directly. */
  inferCallsPerDecide: number | null;
  /** The mode the case came to (for the estimate row, the token count). */
  mode: string | null;
}

const SYSTEM_BYTES = 30 * 1024;
const BATCH = 50;

function systemText(): string {
  const rule =
    '\n- Read a file before editing it, keep the change small, run the tests that cover it and report what you verified. Use the tools, never guess a path.';
  let text = 'You are Kilo Code, a highly skilled software engineer with extensive knowledge in many languages and frameworks.\n\n====\n\nTOOL USE\n\nRULES\n';
  while (text.length < SYSTEM_BYTES) text += rule;
  return text.slice(0, SYSTEM_BYTES);
}

const TOOL_NAMES = [
  'read_file', 'write_to_file', 'apply_diff', 'search_files', 'list_files', 'list_code_definition_names', 'execute_command',
  'browser_action', 'ask_followup_question', 'attempt_completion', 'switch_mode', 'new_task', 'update_todo_list',
  'insert_content', 'search_and_replace', 'fetch_instructions', 'codebase_search', 'use_mcp_tool', 'access_mcp_resource', 'run_slash_command',
];

const REMINDER = '<environment_details>\n# Current Mode\n<slug>architect</slug>\n<name>Architect</name>\n</environment_details>';

/** A 30 KB-system, 20-tool agent turn in the given protocol, with the mode only inside the request (no header). */
export function agentRequest(protocol: ClientProtocol): Record<string, unknown> {
  const system = systemText();
  const parameters = { type: 'object', properties: { path: { type: 'string', description: 'A path in the workspace.' } }, required: ['path'] };
  if (protocol === 'anthropic-messages') {
    return {
      model: 'kilo/auto',
      max_tokens: 8192,
      system: [{ type: 'text', text: system }],
      messages: [{ role: 'user', content: [{ type: 'text', text: '<task>Plan the retry policy.</task>' }, { type: 'text', text: REMINDER }] }],
      tools: TOOL_NAMES.map((name) => ({ name, description: `The ${name} tool.`, input_schema: parameters })),
    };
  }
  return {
    model: 'kilo/auto',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: [{ type: 'text', text: '<task>Plan the retry policy.</task>' }, { type: 'text', text: REMINDER }] },
    ],
    tools: TOOL_NAMES.map((name) => ({ type: 'function', function: { name, description: `The ${name} tool.`, parameters } })),
  };
}

function medianMicroseconds(run: () => void, rounds: number): number {
  for (let index = 0; index < 1_000; index++) run();
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = process.hrtime.bigint();
    for (let index = 0; index < BATCH; index++) run();
    samples.push(Number(process.hrtime.bigint() - started) / 1_000 / BATCH);
  }
  samples.sort((left, right) => left - right);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

/** Measures the rows; `quick` uses fewer rounds. */
export function measureModeInference(quick: boolean): ModeInferenceRow[] {
  const rounds = quick ? 60 : 300;
  const loaded = loadConfig({ env: {}, cwd: '/nonexistent-automodel-bench' });
  if (!loaded.config) throw new Error('mode-inference bench: the zero config did not load');
  const config = loaded.config;
  const rows: ModeInferenceRow[] = [];
  for (const protocol of ['openai-chat', 'anthropic-messages'] as const) {
    const body = agentRequest(protocol);
    rows.push({
      name: `inferMode, 30 KB system + 20 tools (${protocol})`,
      medianMicroseconds: medianMicroseconds(() => void inferMode(protocol, body), rounds),
      inferCallsPerDecide: null,
      mode: inferMode(protocol, body).mode,
    });
    // The context-window check's estimate runs only when the body's byte bound exceeds a candidate's window; this is
    // what it costs when it does.
    rows.push({
      name: `estimateInputTokens, same body (${protocol})`,
      medianMicroseconds: medianMicroseconds(() => void estimateInputTokens(protocol, body), rounds),
      inferCallsPerDecide: null,
      mode: `${estimateInputTokens(protocol, body)} tokens`,
    });
    for (const header of [undefined, 'architect']) {
      let calls = 0;
      let decisions = 0;
      let mode: string | null = null;
      const run = (): void => {
        decisions += 1;
        mode = decide(
          {
            protocol,
            requestedModel: 'kilo/auto',
            kilocodeModeHeader: header,
            inferMode: () => {
              calls += 1;
              return inferMode(protocol, body);
            },
            now: 0,
          },
          config,
        ).mode;
      };
      const median = medianMicroseconds(run, rounds);
      rows.push({
        name: `decide, ${header ? 'x-kilocode-mode header' : 'no header (inference runs)'} (${protocol})`,
        medianMicroseconds: median,
        inferCallsPerDecide: calls / decisions,
        mode,
      });
    }
  }
  return rows;
}

/** The rows as a markdown table. */
export function renderModeInference(rows: readonly ModeInferenceRow[]): string {
  const lines = ['| mode inference, token estimate | median µs/call | inferMode calls per decide | result |', '|---|--:|--:|---|'];
  for (const row of rows) {
    lines.push(
      `| ${row.name} | ${row.medianMicroseconds.toFixed(2)} | ${row.inferCallsPerDecide === null ? '—' : row.inferCallsPerDecide.toFixed(2)} | ${row.mode ?? 'none'} |`,
    );
  }
  return lines.join('\n');
}
