/**
 * Micro-benchmark for inferMode: prints the median cost per call (µs) for agent requests with a 30 KB system prompt and
 * 20 tools, and for requests with no agent signal (a bare question, and a 30 KB generic prompt with 20 tools, the
 * worst case because every fallback check runs). Target: <= 50 µs median for the 30 KB / 20-tool agent request.
 *
 * Usage: node dist/scripts/bench-infer-mode.js [--rounds 400]
 */
import { inferMode } from '../src/router/infer-mode.js';
import type { ClientProtocol } from '../src/usage/types.js';

const TARGET_MICROSECONDS = 50;
const SYSTEM_BYTES = 30 * 1024;
const BATCH = 50;

function pad(prefix: string, filler: string, bytes: number): string {
  let text = prefix;
  while (text.length < bytes) text += filler;
  return text.slice(0, bytes);
}

function toolNames(names: readonly string[], count: number): string[] {
  const out: string[] = [];
  for (let index = 0; out.length < count; index++) out.push(index < names.length ? names[index] ?? `tool_${index}` : `mcp_tool_${index}`);
  return out;
}

const RULE_FILLER = '\n- Before using a tool, think about which tool fits best and which parameters it needs; never guess a required value. Prefer small, verifiable steps.';
const HISTORY_FILE = Array.from({ length: 120 }, (_, index) => `${index + 1} | export const value${index} = ${index};`).join('\n');

function rooArchitect(): unknown {
  const system = pad(
    "You are Roo, an experienced technical leader who is inquisitive and an excellent planner.\n\n====\n\nTOOL USE\n\nYou have access to a set of tools.\n\n====\n\nMODES\n\n- These are the currently available modes:\n  * \"Code\" mode (code) - write code\n  * \"Debug\" mode (debug) - debug\n\n====\n\nRULES\n",
    RULE_FILLER,
    SYSTEM_BYTES,
  );
  const tools = toolNames(['read_file', 'search_files', 'list_files', 'codebase_search', 'write_to_file', 'apply_diff', 'ask_followup_question', 'attempt_completion', 'switch_mode', 'new_task', 'update_todo_list'], 20);
  return {
    model: 'kilo/auto',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content: [{ type: 'text', text: '<task>\nDesign the retry policy.\n</task>' }, { type: 'text', text: '<environment_details>\n# Current Mode\n<slug>architect</slug>\n<name>Architect</name>\n</environment_details>' }] },
      { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"src/a.ts"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: HISTORY_FILE },
      { role: 'user', content: [{ type: 'text', text: 'continue' }, { type: 'text', text: '<environment_details>\n# Current Mode\n<slug>architect</slug>\n</environment_details>' }] },
    ],
    tools: tools.map((name) => ({ type: 'function', function: { name, description: 'A tool.', parameters: { type: 'object', properties: {} } } })),
  };
}

function claudeCodePlan(): unknown {
  const main = pad('You are an interactive agent that helps users with software engineering tasks.\n', RULE_FILLER, SYSTEM_BYTES);
  const tools = toolNames(['Agent', 'Bash', 'Glob', 'Grep', 'Read', 'Edit', 'Write', 'NotebookEdit', 'WebFetch', 'TodoWrite', 'WebSearch', 'AskUserQuestion', 'Skill', 'ExitPlanMode'], 20);
  return {
    model: 'claude-sonnet-4-5',
    max_tokens: 32000,
    system: [{ type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." }, { type: 'text', text: main }],
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Look at the router.' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Read', input: { file_path: 'src/a.ts' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: HISTORY_FILE }, { type: 'text', text: '<system-reminder>\nPlan mode is active. The user indicated that they do not want you to execute yet.\n</system-reminder>' }] },
    ],
    tools: tools.map((name) => ({ name, description: 'A tool.', input_schema: { type: 'object', properties: {} } })),
  };
}

function bareQuestion(): unknown {
  return { model: 'kilo/auto', messages: [{ role: 'user', content: 'What is a good architecture for a URL shortener? Give me a plan.' }] };
}

function genericLargePrompt(): unknown {
  const system = pad('You are a helpful assistant for the ACME support team. Follow the policies below.\n', '\n- Policy: answer politely and cite the knowledge base article when one applies; escalate billing disputes.', SYSTEM_BYTES);
  const tools = toolNames(['lookup_order', 'refund_order', 'search_kb'], 20);
  return {
    model: 'kilo/auto',
    messages: [{ role: 'system', content: system }, { role: 'user', content: 'Plan my refund: order 1234 arrived broken.' }],
    tools: tools.map((name) => ({ type: 'function', function: { name, description: 'A tool.', parameters: { type: 'object', properties: {} } } })),
  };
}

function medianMicroseconds(protocol: ClientProtocol, body: unknown, rounds: number): number {
  for (let index = 0; index < 2_000; index++) inferMode(protocol, body);
  const samples: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const start = process.hrtime.bigint();
    for (let index = 0; index < BATCH; index++) inferMode(protocol, body);
    samples.push(Number(process.hrtime.bigint() - start) / 1_000 / BATCH);
  }
  samples.sort((left, right) => left - right);
  return samples[Math.floor(samples.length / 2)] ?? Number.NaN;
}

function main(): void {
  const roundsIndex = process.argv.indexOf('--rounds');
  const rounds = roundsIndex === -1 ? 400 : Math.max(10, Number(process.argv[roundsIndex + 1]) || 400);
  const cases: Array<[string, ClientProtocol, unknown, boolean]> = [
    ['Roo architect, 30 KB system, 20 tools (openai-chat)', 'openai-chat', rooArchitect(), true],
    ['Claude Code plan, 30 KB system, 20 tools (anthropic-messages)', 'anthropic-messages', claudeCodePlan(), true],
    ['no agent signal: bare question', 'openai-chat', bareQuestion(), false],
    ['no agent signal: 30 KB generic system, 20 tools', 'openai-chat', genericLargePrompt(), false],
  ];
  process.stdout.write(`inferMode median cost per call (${rounds} rounds x ${BATCH} calls)\n\n`);
  let failed = false;
  for (const [name, protocol, body, targeted] of cases) {
    const median = medianMicroseconds(protocol, body, rounds);
    const result = inferMode(protocol, body);
    const verdict = targeted ? (median <= TARGET_MICROSECONDS ? 'ok' : `OVER ${TARGET_MICROSECONDS} µs`) : '';
    if (targeted && median > TARGET_MICROSECONDS) failed = true;
    process.stdout.write(`${name.padEnd(64)} ${median.toFixed(2).padStart(8)} µs   mode=${String(result.mode)} ${verdict}\n`);
  }
  process.exit(failed ? 1 : 0);
}

main();
