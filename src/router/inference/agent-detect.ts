/**
 * Recognises which coding agent sent a request, from the shape of its system prompt's opening (the role sentence and
 * the identity line) and, where the prompt is not enough, from the tool set and the user-turn markers.
 *
 * The role sentence is read only in the first {@link HEAD_CHARS} characters of the first few system blocks. That is
 * deliberate: Roo Code and Kilo Code list every mode in a MODES section further down, so matching mode words over the
 * whole prompt would fire for all of them.
 */
import type { RequestView } from './request-view.js';

/** How much of each system block is read for role sentences. */
export const HEAD_CHARS = 1_500;
/** How many system blocks contribute to the head. */
const HEAD_BLOCKS = 4;

/** Agent ids returned in `InferredMode.agent`. */
export type AgentId = 'roo-code' | 'kilo-code' | 'cline' | 'opencode' | 'kilo-cli' | 'claude-code' | 'continue' | 'aider';

/** What the detector found: the agent and why. */
export interface AgentMatch {
  agent: AgentId;
  evidence: string;
}

/** The lowercased opening of the system prompt: the first characters of each of the first few blocks. */
export function systemHead(view: RequestView): string {
  let head = '';
  const limit = Math.min(view.systemBlocks.length, HEAD_BLOCKS);
  for (let index = 0; index < limit; index++) {
    const block = view.systemBlocks[index] ?? '';
    head += (block.length > HEAD_CHARS ? block.slice(0, HEAD_CHARS) : block).toLowerCase();
    head += '\n\n';
  }
  return head;
}

/** True if any system block contains `marker` (case-sensitive; a plain indexOf per block). */
export function systemContains(view: RequestView, marker: string): boolean {
  for (const block of view.systemBlocks) if (block.indexOf(marker) !== -1) return true;
  return false;
}

function countPresent(names: ReadonlySet<string>, candidates: readonly string[]): number {
  let count = 0;
  for (const candidate of candidates) if (names.has(candidate)) count++;
  return count;
}

/** Tool names of Claude Code's main loop (capitalised, unlike opencode's). */
const CLAUDE_CODE_CORE_TOOLS = ['Bash', 'Read', 'Edit', 'Write', 'Glob', 'Grep', 'MultiEdit', 'NotebookEdit'];
const CLAUDE_CODE_AGENT_TOOLS = ['TodoWrite', 'Task', 'Agent', 'ExitPlanMode', 'EnterPlanMode', 'AskUserQuestion'];
/** Tool names of opencode and the Kilo CLI. */
const OPENCODE_TOOLS = ['bash', 'read', 'edit', 'write', 'glob', 'grep', 'task', 'todowrite', 'webfetch', 'question', 'skill', 'apply_patch', 'plan_exit'];
/** Tool names only the Roo Code family offers. */
const ROO_FAMILY_TOOLS = ['switch_mode', 'new_task', 'update_todo_list', 'ask_followup_question', 'attempt_completion'];
/** Tool names only Cline offers. */
const CLINE_TOOLS = ['plan_mode_respond', 'switch_to_act_mode', 'act_mode_respond', 'read_files', 'search_codebase', 'run_commands'];

/** Tool names of Continue's built-in tools (older releases prefix them with `builtin_`). */
const CONTINUE_TOOLS = [
  'read_currently_open_file',
  'edit_existing_file',
  'create_new_file',
  'run_terminal_command',
  'grep_search',
  'file_glob_search',
  'view_diff',
  'single_find_and_replace',
  'read_file_range',
];

/** Role sentences of the Kilo CLI's own agents (absent from opencode). */
const KILO_CLI_ROLE_PHRASES = ['strategic workflow orchestrator', 'you are in ask mode', 'knowledgeable technical assistant', 'software debugger', 'technical leader'];

/** Helper prompts opencode and the Kilo CLI share (their agent prompts for title, summary, compaction, explore). */
const OPENCODE_HELPER_PHRASES = [
  'you are a title generator',
  'summarize what was done in this conversation',
  'you are a context summarization agent',
  'tasked with summarizing conversations',
  'you are a file search specialist. you excel',
];

function detectFromHead(head: string, view: RequestView): AgentMatch | undefined {
  if (head.indexOf('x-anthropic-billing-header') !== -1 || head.indexOf("anthropic's official cli for claude") !== -1) {
    return { agent: 'claude-code', evidence: 'system prompt identity: Claude Code' };
  }
  if (head.indexOf('for claude code') !== -1 || head.indexOf('claude agent sdk') !== -1) {
    return { agent: 'claude-code', evidence: 'system prompt identity: Claude Code subagent' };
  }
  if (head.indexOf('you are roo,') !== -1) return { agent: 'roo-code', evidence: 'system prompt role: "You are Roo, ..."' };
  if (head.indexOf('you are kilo code,') !== -1 && isRooShaped(view)) {
    return { agent: 'kilo-code', evidence: 'system prompt role: "You are Kilo Code, ..." with ==== sections' };
  }
  if (head.indexOf('you are cline,') !== -1) return { agent: 'cline', evidence: 'system prompt role: "You are Cline, ..."' };
  if (head.indexOf('you are kilo') !== -1) return { agent: 'kilo-cli', evidence: 'system prompt identity: Kilo CLI' };
  if (head.indexOf('you are opencode') !== -1) return { agent: 'opencode', evidence: 'system prompt identity: opencode' };
  for (const phrase of OPENCODE_HELPER_PHRASES) {
    if (head.indexOf(phrase) !== -1) return { agent: 'opencode', evidence: `opencode-family helper prompt ("${phrase}")` };
  }
  if (head.indexOf('<important_rules>') !== -1 && head.indexOf('you are in ') !== -1) {
    return { agent: 'continue', evidence: 'system prompt: Continue <important_rules> mode sentence' };
  }
  const trimmed = head.trimStart();
  if (trimmed.startsWith('act as an expert') || head.indexOf('one-line git commit messages') !== -1 || head.indexOf('summarize this partial conversation about programming') !== -1) {
    return { agent: 'aider', evidence: 'system prompt: aider "Act as an expert ..." shape' };
  }
  return undefined;
}

/** Roo Code's prompt assembly separates sections with "====" lines; custom modes keep that shape. */
export function isRooShaped(view: RequestView): boolean {
  return systemContains(view, '====\n\nTOOL USE') || systemContains(view, '====\n\nMODES') || systemContains(view, '====\n\nRULES');
}

/** Recognises the agent, or returns undefined when the request carries no agent signal. */
export function detectAgent(view: RequestView, head: string, hasEnvironmentSlug: boolean, hasClineMarker: boolean): AgentMatch | undefined {
  const fromHead = detectFromHead(head, view);
  if (fromHead) return fromHead;

  // Custom Roo/Kilo modes: the role sentence is the user's, but the assembly, the tools and the environment block are not.
  const names = new Set(view.toolNames);
  if (hasEnvironmentSlug || isRooShaped(view) || countPresent(names, ROO_FAMILY_TOOLS) >= 2) {
    const kilo = head.indexOf('kilo') !== -1 || systemContains(view, 'Kilo Code') || systemContains(view, '.kilocode');
    return { agent: kilo ? 'kilo-code' : 'roo-code', evidence: 'Roo-family prompt shape (==== sections, environment mode block or tools)' };
  }
  if (hasClineMarker || countPresent(names, CLINE_TOOLS) >= 2 || names.has('plan_mode_respond')) {
    return { agent: 'cline', evidence: 'Cline markers (mode block, <user_input mode>, or its tool set)' };
  }
  if (countPresent(names, CLAUDE_CODE_CORE_TOOLS) >= 3 && countPresent(names, CLAUDE_CODE_AGENT_TOOLS) >= 1) {
    return { agent: 'claude-code', evidence: 'tool set shape: Claude Code (Bash/Read/Edit + TodoWrite/Task)' };
  }
  if (countPresent(names, OPENCODE_TOOLS) >= 5) {
    // The Kilo CLI's extra agents (ask, debug, orchestrator, plan) carry Roo-derived role sentences and no identity line.
    for (const phrase of KILO_CLI_ROLE_PHRASES) {
      if (head.indexOf(phrase) !== -1) return { agent: 'kilo-cli', evidence: `tool set shape: opencode family, Kilo agent role ("${phrase}")` };
    }
    return { agent: 'opencode', evidence: 'tool set shape: opencode (bash/read/edit/glob/grep ...)' };
  }
  // Generic names like grep_search also appear in other tools, so ask for Continue's distinctive one or several.
  if (names.has('read_currently_open_file') || countPresent(names, CONTINUE_TOOLS) >= 4 || view.toolNames.some((name) => name.startsWith('builtin_'))) {
    return { agent: 'continue', evidence: 'tool set shape: Continue built-in tools' };
  }
  return undefined;
}
