/**
 * Request bodies for the benchmark, generated deterministically (same bytes every run, no randomness, no files).
 * - tiny: one short user message.
 * - agent turn (~40 KB): what a coding agent sends mid-task: a long system prompt, 17 tools with JSON-schema parameters,
 *   and a few turns of history with tool calls and their results.
 * Each builder renders the same content as OpenAI Chat Completions or Anthropic Messages, so later scenarios
 * (Anthropic pass-through, cross-protocol translation) reuse it.
 */

/** Wire format a body is rendered in. */
export type BodyProtocol = 'openai' | 'anthropic';

/** What a body builder is asked for. */
export interface BodyOptions {
  protocol: BodyProtocol;
  model: string;
  stream: boolean;
}

/** Builds a request body as a JSON string. */
export type BodyBuilder = (options: BodyOptions) => string;

/** Size the agent turn aims at, in bytes of JSON. */
export const AGENT_TURN_TARGET_BYTES = 40_000;

function streamFields(options: BodyOptions): Record<string, unknown> {
  if (!options.stream) return {};
  return options.protocol === 'openai' ? { stream: true, stream_options: { include_usage: true } } : { stream: true };
}

/** One short user message. */
export const tinyBody: BodyBuilder = (options) =>
  JSON.stringify({
    model: options.model,
    max_tokens: 256,
    messages: [{ role: 'user', content: 'Say hello in five words.' }],
    ...streamFields(options),
  });

const RULES = [
  'Read the files you are about to change before you change them, and keep edits as small as the task allows.',
  'Prefer the project conventions you can see in nearby code over your own habits, including naming and error handling.',
  'Run the tests that cover the code you touched, and report honestly when a test fails or cannot be run.',
  'Never invent file paths, function names or command flags; look them up with the tools first.',
  'When a command may change state outside the workspace, ask the user before running it.',
  'Explain the reason for a change in one or two sentences, then show the change.',
  'Keep secrets out of logs, commits and messages, even when the user pastes them into the conversation.',
  'If the request is ambiguous, state the assumption you make and carry on rather than stopping to ask.',
  'Write code that a reviewer can read top to bottom: short functions, plain names, comments that say why.',
  'Use the search tool before reading whole directories; large listings waste the context window.',
  'When you finish, summarise what changed, what you verified, and anything left for the user to decide.',
];

const TOPICS = ['workspace', 'editing', 'testing', 'tools', 'safety', 'communication', 'git', 'performance', 'style'];

function systemPrompt(targetChars: number): string {
  const parts = ['You are a software engineering agent working inside the user\'s repository through the tools below.'];
  let section = 0;
  while (parts.join('\n').length < targetChars) {
    const topic = TOPICS[section % TOPICS.length] ?? 'general';
    parts.push(`\n## ${section + 1}. ${topic}`);
    for (let rule = 0; rule < 4; rule++) {
      parts.push(`- ${RULES[(section * 3 + rule) % RULES.length] ?? ''} (rule ${section + 1}.${rule + 1})`);
    }
    section += 1;
  }
  return parts.join('\n');
}

interface ToolSpec {
  name: string;
  description: string;
  parameters: Record<string, unknown>;
}

const TOOL_TABLE: ReadonlyArray<readonly [string, string, readonly string[]]> = [
  ['read_file', 'Read a file from the workspace, optionally a range of lines.', ['path', 'start_line:integer', 'end_line:integer']],
  ['write_file', 'Create or overwrite a file with the given content.', ['path', 'content']],
  ['apply_diff', 'Apply a unified diff to one file; fails if the context does not match.', ['path', 'diff']],
  ['list_files', 'List files under a directory, optionally recursively.', ['path', 'recursive:boolean']],
  ['search_files', 'Search file contents with a regular expression.', ['path', 'regex', 'file_pattern']],
  ['list_code_definitions', 'List top-level definitions (classes, functions) in a directory.', ['path']],
  ['execute_command', 'Run a shell command in the workspace and return its output.', ['command', 'cwd', 'timeout_seconds:integer']],
  ['browser_action', 'Drive a headless browser: launch, click, type, scroll, close.', ['action', 'url', 'coordinate', 'text']],
  ['ask_followup_question', 'Ask the user a question when the task cannot go on without an answer.', ['question', 'suggestions:array']],
  ['attempt_completion', 'Present the result of the task to the user.', ['result', 'command']],
  ['switch_mode', 'Ask to switch to another mode, such as architect or debug.', ['mode_slug', 'reason']],
  ['new_task', 'Start a subtask in a given mode with its own instructions.', ['mode', 'message']],
  ['update_todo_list', 'Replace the task checklist with an updated one.', ['todos:array']],
  ['insert_content', 'Insert lines into a file at a given line number.', ['path', 'line:integer', 'content']],
  ['search_and_replace', 'Replace text in a file, literally or by regular expression.', ['path', 'search', 'replace', 'use_regex:boolean']],
  ['fetch_instructions', 'Fetch detailed instructions for a task such as creating a server.', ['task']],
  ['codebase_search', 'Semantic search over the indexed codebase.', ['query', 'path']],
];

function toolSpecs(): ToolSpec[] {
  return TOOL_TABLE.map(([name, description, fields]) => {
    const properties: Record<string, unknown> = {};
    for (const field of fields) {
      const [fieldName = field, type = 'string'] = field.split(':');
      const schema: Record<string, unknown> =
        type === 'array'
          ? { type: 'array', items: { type: 'string' }, description: `The ${fieldName.replace(/_/g, ' ')} for ${name}.` }
          : { type, description: `The ${fieldName.replace(/_/g, ' ')} to use when calling ${name}; see the rules above.` };
      properties[fieldName] = schema;
    }
    const required = fields.slice(0, 1).map((field) => field.split(':')[0] ?? field);
    return {
      name,
      description: `${description} Use it only as the rules in the system prompt allow. Returns plain text.`,
      parameters: { type: 'object', properties, required, additionalProperties: false },
    };
  });
}

/** A source file the history "reads": numbered lines of plausible TypeScript. */
function fakeSource(file: string, lines: number): string {
  const out: string[] = [];
  for (let line = 1; line <= lines; line++) {
    const kind = line % 5;
    const text =
      kind === 0
        ? `export function handler${line}(request: Request): Response {`
        : kind === 1
          ? `  const value${line} = await load${line % 7}(request.id, { retries: ${line % 3} });`
          : kind === 2
            ? `  if (!value${line - 1}) throw new GatewayError('not_found', '${file} line ${line}');`
            : kind === 3
              ? `  return respond(value${line - 2}, { status: 200, headers: defaultHeaders });`
              : '}';
    out.push(`${line} | ${text}`);
  }
  return out.join('\n');
}

interface HistoryStep {
  user?: string;
  call?: { id: string; name: string; input: Record<string, unknown> };
  result?: string;
  assistant?: string;
}

function history(): HistoryStep[] {
  return [
    { user: '<task>The request handler returns 500 when the upstream times out. Make it return 504 with a clear message, and add a test.</task>' },
    { assistant: 'I will start by reading the server entry point.', call: { id: 'call_h1', name: 'read_file', input: { path: 'src/server/app.ts' } } },
    { result: fakeSource('src/server/app.ts', 60) },
    { assistant: 'Now the upstream client, where timeouts are raised.', call: { id: 'call_h2', name: 'search_files', input: { path: 'src', regex: 'Timeout', file_pattern: '*.ts' } } },
    { result: fakeSource('src/providers/upstream-client.ts', 40) },
    { assistant: 'The error is mapped in one place. I will change that mapping.', call: { id: 'call_h3', name: 'apply_diff', input: { path: 'src/errors.ts', diff: '@@ -10,3 +10,3 @@\n-  upstream_timeout: 500,\n+  upstream_timeout: 504,' } } },
    { result: 'Applied 1 hunk to src/errors.ts.' },
    { user: '<environment_details>\nCurrent mode: code\nOpen tabs: src/errors.ts, src/server/app.ts\n</environment_details>\nAlso make sure the message names the upstream.' },
  ];
}

/**
 * The ~40 KB coding-agent turn. The system prompt is sized so the whole body lands near `AGENT_TURN_TARGET_BYTES`
 * whatever the protocol (the tools and history are fixed).
 */
export const agentTurnBody: BodyBuilder = (options) => {
  const render = (promptChars: number): string => renderAgentTurn(options, systemPrompt(promptChars));
  const fixedPart = render(0).length;
  return render(Math.max(0, AGENT_TURN_TARGET_BYTES - fixedPart));
};

function renderAgentTurn(options: BodyOptions, system: string): string {
  const tools = toolSpecs();
  const steps = history();
  if (options.protocol === 'openai') {
    const messages: Record<string, unknown>[] = [{ role: 'system', content: system }];
    for (const step of steps) {
      if (step.user) messages.push({ role: 'user', content: step.user });
      if (step.call) {
        messages.push({
          role: 'assistant',
          content: step.assistant ?? null,
          tool_calls: [{ id: step.call.id, type: 'function', function: { name: step.call.name, arguments: JSON.stringify(step.call.input) } }],
        });
      }
      if (step.result) {
        const previous = [...steps].reverse().find((candidate) => candidate.call && steps.indexOf(candidate) < steps.indexOf(step));
        messages.push({ role: 'tool', tool_call_id: previous?.call?.id ?? 'call_unknown', content: step.result });
      }
    }
    return JSON.stringify({
      model: options.model,
      max_tokens: 8192,
      temperature: 0,
      messages,
      tools: tools.map((tool) => ({ type: 'function', function: tool })),
      tool_choice: 'auto',
      ...streamFields(options),
    });
  }
  const messages: Record<string, unknown>[] = [];
  let lastCallId = 'toolu_unknown';
  for (const step of steps) {
    if (step.user) messages.push({ role: 'user', content: [{ type: 'text', text: step.user }] });
    if (step.call) {
      lastCallId = step.call.id.replace('call_', 'toolu_');
      messages.push({
        role: 'assistant',
        content: [
          ...(step.assistant ? [{ type: 'text', text: step.assistant }] : []),
          { type: 'tool_use', id: lastCallId, name: step.call.name, input: step.call.input },
        ],
      });
    }
    if (step.result) messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: lastCallId, content: step.result }] });
  }
  return JSON.stringify({
    model: options.model,
    max_tokens: 8192,
    system: [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }],
    messages,
    tools: tools.map((tool) => ({ name: tool.name, description: tool.description, input_schema: tool.parameters })),
    ...streamFields(options),
  });
}
