/**
 * Per-agent mode rules: given the recognised agent, the lowercased system-prompt head and the latest user-turn marker,
 * pick a seed mode slug. Each rule returns the mode, a confidence and one line of evidence.
 *
 * Confidence levels (the caller's default threshold is 0.6):
 *  - 0.95  an explicit mode marker written by the agent itself (environment block slug, `<user_input mode>`,
 *          a plan-mode reminder, a helper prompt that names its job);
 *  - 0.85  the role sentence at the top of the system prompt;
 *  - 0.7   the agent is certain and the mode is its default because no marker says otherwise, or a tool-set shape;
 *  - 0.5   the agent is recognised but nothing says which mode (below the default threshold on purpose).
 */
import type { AgentId } from './agent-detect.js';
import { systemContains } from './agent-detect.js';
import type { RequestView } from './request-view.js';
import { findCompactionRequest, type TurnSignal } from './turn-signals.js';

/** The mode one rule settled on. */
export interface ModeVerdict {
  mode: string;
  confidence: number;
  evidence: string;
}

/** Inputs every per-agent rule reads. */
export interface ModeContext {
  view: RequestView;
  head: string;
  /** The newest user-turn marker (searched newest turn first) and where it was found. */
  turnSignal: TurnSignal | undefined;
  turnLabel: string;
  /** Text parts of the newest user turn (read only by agents that send compaction requests as a user turn). */
  newestTurn: readonly string[];
}

interface RolePattern {
  /** All of these must appear in the head. */
  phrases: readonly string[];
  mode: string;
  label: string;
}

function matchRole(head: string, patterns: readonly RolePattern[]): ModeVerdict | undefined {
  for (const pattern of patterns) {
    if (pattern.phrases.every((phrase) => head.indexOf(phrase) !== -1)) {
      return { mode: pattern.mode, confidence: 0.85, evidence: `system prompt role: ${pattern.label}` };
    }
  }
  return undefined;
}

/** Roles shared by Roo Code, Kilo Code's extension and the Kilo CLI (they descend from one set of role sentences). */
const ROO_ROLES: readonly RolePattern[] = [
  { phrases: ['strategic workflow orchestrator'], mode: 'orchestrator', label: 'strategic workflow orchestrator' },
  { phrases: ['technical leader', 'planner'], mode: 'architect', label: 'technical leader and planner' },
  { phrases: ['knowledgeable technical assistant'], mode: 'ask', label: 'knowledgeable technical assistant' },
  { phrases: ['software debugger'], mode: 'debug', label: 'expert software debugger' },
  { phrases: ['highly skilled software engineer'], mode: 'code', label: 'highly skilled software engineer' },
];

/** Helper prompts of opencode and the Kilo CLI, then their role prompts. */
const OPENCODE_ROLES: readonly RolePattern[] = [
  { phrases: ['you are a title generator'], mode: 'title', label: 'title generator' },
  { phrases: ['summarize what was done in this conversation'], mode: 'summary', label: 'session summary writer' },
  { phrases: ['context summarization agent'], mode: 'compaction', label: 'context summarization agent' },
  { phrases: ['tasked with summarizing conversations'], mode: 'compaction', label: 'conversation summariser' },
  { phrases: ['file search specialist'], mode: 'explore', label: 'file search specialist' },
  { phrases: ['strategic workflow orchestrator'], mode: 'orchestrator', label: 'strategic workflow orchestrator' },
  { phrases: ['you are in ask mode'], mode: 'ask', label: 'read-only ask mode' },
  { phrases: ['knowledgeable technical assistant'], mode: 'ask', label: 'knowledgeable technical assistant' },
  { phrases: ['software debugger'], mode: 'debug', label: 'expert software debugger' },
  { phrases: ['technical leader', 'planner'], mode: 'plan', label: 'technical leader and planner (plan agent)' },
];

const CLAUDE_CODE_ROLES: readonly RolePattern[] = [
  { phrases: ['sentence-case title'], mode: 'title', label: 'session title generator' },
  { phrases: ['new conversation topic'], mode: 'title', label: 'topic/title detection' },
  { phrases: ['tasked with summarizing conversations'], mode: 'compaction', label: 'conversation summariser' },
  { phrases: ['file search specialist'], mode: 'explore', label: 'Explore subagent (file search specialist)' },
  { phrases: ['planning specialist'], mode: 'plan', label: 'Plan subagent (software architect and planning specialist)' },
  { phrases: ['you are an agent for claude code'], mode: 'general', label: 'general-purpose subagent' },
];

const AIDER_ROLES: readonly RolePattern[] = [
  { phrases: ['one-line git commit messages'], mode: 'summary', label: 'commit message writer' },
  { phrases: ['summarize this partial conversation'], mode: 'compaction', label: 'chat history summariser' },
  { phrases: ['act as an expert architect engineer'], mode: 'architect', label: 'architect engineer directing an editor' },
  { phrases: ['act as an expert code analyst', 'answer questions'], mode: 'ask', label: 'code analyst answering questions' },
  { phrases: ['act as an expert code analyst'], mode: 'explore', label: 'code analyst finding relevant files (context coder)' },
  { phrases: ['act as an expert software developer'], mode: 'code', label: 'software developer making edits' },
];

const CONTINUE_ROLES: readonly RolePattern[] = [
  { phrases: ['you are in agent mode'], mode: 'code', label: 'Continue agent mode' },
  { phrases: ['you are in plan mode'], mode: 'plan', label: 'Continue plan mode' },
  { phrases: ['you are in chat mode'], mode: 'ask', label: 'Continue chat mode' },
];

function marker(context: ModeContext, mode: string, confidence = 0.95): ModeVerdict | undefined {
  const signal = context.turnSignal;
  if (!signal) return undefined;
  return { mode, confidence, evidence: `${context.turnLabel}: ${signal.evidence}` };
}

function compaction(context: ModeContext): ModeVerdict | undefined {
  const phrase = findCompactionRequest(context.newestTurn);
  if (!phrase) return undefined;
  return { mode: 'compaction', confidence: 0.95, evidence: `last user turn: compaction request ("${phrase}")` };
}

function rooFamily(context: ModeContext): ModeVerdict {
  const signal = context.turnSignal;
  if (signal?.kind === 'environment-slug') return marker(context, signal.value) as ModeVerdict;
  return matchRole(context.head, ROO_ROLES) ?? { mode: 'code', confidence: 0.5, evidence: 'Roo-family request without a mode marker' };
}

function cline(context: ModeContext): ModeVerdict {
  const signal = context.turnSignal;
  if (signal?.kind === 'cline-environment' || signal?.kind === 'cline-user-input') {
    return marker(context, signal.value === 'plan' ? 'plan' : 'code') as ModeVerdict;
  }
  if (systemContains(context.view, 'You are in Plan mode')) {
    return { mode: 'plan', confidence: 0.85, evidence: 'system prompt: Cline "# Plan Mode" section' };
  }
  const names = new Set(context.view.toolNames);
  if (names.has('plan_mode_respond') && !names.has('write_to_file') && !names.has('replace_in_file')) {
    return { mode: 'plan', confidence: 0.7, evidence: 'tool set: plan_mode_respond without edit tools' };
  }
  return { mode: 'code', confidence: 0.7, evidence: 'Cline request without a plan marker (act mode)' };
}

function opencodeFamily(context: ModeContext, defaultMode: 'build' | 'code'): ModeVerdict {
  const role = compaction(context) ?? matchRole(context.head, OPENCODE_ROLES);
  if (role) return role;
  const signal = context.turnSignal;
  if (signal?.kind === 'plan-active') return marker(context, 'plan') as ModeVerdict;
  if (signal?.kind === 'plan-ended') return marker(context, defaultMode, 0.9) as ModeVerdict;
  const names = new Set(context.view.toolNames);
  const identified = context.head.indexOf('you are opencode') !== -1 || context.head.indexOf('you are kilo') !== -1;
  // Only with the agent's own prompt: a look-alike tool set alone must not reach the reasoning tier.
  if (identified && names.size > 0 && !names.has('task') && !names.has('todowrite')) {
    return { mode: 'general', confidence: 0.7, evidence: 'tool set: no task/todowrite tools (general subagent shape)' };
  }
  if (!identified) {
    return { mode: defaultMode, confidence: 0.6, evidence: `opencode-shaped tool set without a plan reminder (${defaultMode})` };
  }
  return { mode: defaultMode, confidence: 0.7, evidence: `primary agent without a plan reminder (${defaultMode})` };
}

function claudeCode(context: ModeContext): ModeVerdict {
  const role = compaction(context) ?? matchRole(context.head, CLAUDE_CODE_ROLES);
  if (role) return role;
  const signal = context.turnSignal;
  if (signal?.kind === 'plan-active') return marker(context, 'plan') as ModeVerdict;
  if (signal?.kind === 'plan-ended') return marker(context, 'code', 0.9) as ModeVerdict;
  if (context.view.toolNames.length === 0) {
    // A side call (topic, summary, prefix checks): small, tool-less, implementation tier.
    return { mode: 'code', confidence: 0.6, evidence: 'Claude Code side call without tools' };
  }
  return { mode: 'code', confidence: 0.7, evidence: 'Claude Code main loop without a plan-mode reminder (default mode)' };
}

function continueAgent(context: ModeContext): ModeVerdict {
  const role = matchRole(context.head, CONTINUE_ROLES);
  if (role) return role;
  const names = new Set(context.view.toolNames.map((name) => (name.startsWith('builtin_') ? name.slice(8) : name)));
  if (names.has('edit_existing_file') || names.has('create_new_file') || names.has('run_terminal_command') || names.has('single_find_and_replace')) {
    return { mode: 'code', confidence: 0.7, evidence: 'tool set: Continue edit tools (agent mode)' };
  }
  return { mode: 'plan', confidence: 0.6, evidence: 'tool set: Continue read-only tools (plan mode)' };
}

function aider(context: ModeContext): ModeVerdict {
  return matchRole(context.head, AIDER_ROLES) ?? { mode: 'code', confidence: 0.5, evidence: 'aider request with an unknown prompt' };
}

/** Picks the mode for a recognised agent. */
export function modeForAgent(agent: AgentId, context: ModeContext): ModeVerdict {
  switch (agent) {
    case 'roo-code':
    case 'kilo-code':
      return rooFamily(context);
    case 'cline':
      return cline(context);
    case 'opencode':
      return opencodeFamily(context, 'build');
    case 'kilo-cli':
      return opencodeFamily(context, 'code');
    case 'claude-code':
      return claudeCode(context);
    case 'continue':
      return continueAgent(context);
    case 'aider':
      return aider(context);
  }
}
