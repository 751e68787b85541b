/**
 * Mode inference for coding agents that send no `x-kilocode-mode` header (Roo Code, Kilo Code's extension with other
 * providers, Cline, opencode, the Kilo CLI, Claude Code, Continue, aider).
 *
 * The mode is read from signals the agent itself writes, never from what the user typed:
 *  1. the role sentence at the top of the system prompt (only the first characters of the first blocks are read, so a
 *     MODES section that lists every mode cannot fire);
 *  2. markers in the most recent user turns: Roo/Kilo/Cline environment blocks, Cline's `<user_input mode>` wrapper,
 *     `<system-reminder>` plan-mode reminders, and Claude Code's plan-mode notes sent as mid-conversation system
 *     messages; the newest turn with a marker wins, so a mode switch is honoured;
 *  3. the tool set's shape (which tools are offered, not what they are called with).
 *
 * Pure: no I/O, no clock, no `node:*` imports; every regex-free lookup is bounded, so the cost does not grow with
 * the size of the prompt or the history. See docs/mode-inference.md for the per-agent mapping and confidence levels.
 */
import type { ClientProtocol } from '../usage/types.js';
import { detectAgent, systemHead } from './inference/agent-detect.js';
import { modeForAgent } from './inference/agent-modes.js';
import { viewRequest, type MarkerTurn } from './inference/request-view.js';
import { scanHarnessMessage, scanUserTurn, type TurnSignal } from './inference/turn-signals.js';

/** The result of {@link inferMode}. */
export interface InferredMode {
  /** A seed mode slug (architect, orchestrator, ask, plan, general, code, build, debug, explore), a helper-call slug
   *  ('title', 'summary', 'compaction' - these route to the implementation tier), or null when there is no agent signal. */
  mode: string | null;
  /** 0..1. 0.95 = explicit agent marker; 0.85 = role sentence; 0.7 = agent default or tool-set shape; 0.5 = agent
   *  recognised but mode unknown (below the default 0.6 threshold on purpose); 0 = no agent signal. */
  confidence: number;
  /** Human-readable signals, e.g. "system prompt role: strategic workflow orchestrator", "last user turn: plan-mode reminder". */
  evidence: string[];
  /** Which agent was recognised, e.g. 'roo-code', 'kilo-code', 'cline', 'opencode', 'kilo-cli', 'claude-code', 'continue', 'aider'. */
  agent: string | null;
}

const NO_SIGNAL: InferredMode = Object.freeze({ mode: null, confidence: 0, evidence: [], agent: null }) as InferredMode;

function turnLabel(turn: MarkerTurn | undefined): string {
  const index = turn?.userIndex ?? 0;
  if (turn?.from === 'system') {
    if (index === 0) return 'system message after the last user turn';
    return index === 1 ? 'system message before the last user turn' : `system message before user turn ${index} from the end`;
  }
  return index === 0 ? 'last user turn' : `user turn ${index + 1} from the end`;
}

function latestTurnSignal(turns: readonly MarkerTurn[]): { signal: TurnSignal; turn: MarkerTurn } | undefined {
  for (const turn of turns) {
    const signal = turn.from === 'system' ? scanHarnessMessage(turn.texts) : scanUserTurn(turn.texts);
    if (signal) return { signal, turn };
  }
  return undefined;
}

function infer(protocol: ClientProtocol, body: unknown): InferredMode {
  const view = viewRequest(protocol, body);
  const latest = latestTurnSignal(view.markerTurns);
  const head = systemHead(view);
  const kind = latest?.signal.kind;
  const agentMatch = detectAgent(view, head, kind === 'environment-slug', kind === 'cline-environment' || kind === 'cline-user-input');
  if (!agentMatch) return { mode: null, confidence: 0, evidence: [], agent: null };
  const verdict = modeForAgent(agentMatch.agent, {
    view,
    head,
    turnSignal: latest?.signal,
    turnLabel: turnLabel(latest?.turn),
    newestTurn: view.userTurns[0] ?? [],
  });
  return {
    mode: verdict.mode,
    confidence: verdict.confidence,
    // The mode's own signal first: one-line explanations quote evidence[0].
    evidence: [verdict.evidence, agentMatch.evidence],
    agent: agentMatch.agent,
  };
}

/**
 * Infers the agent and its mode from a parsed request body as the client sent it.
 * Lenient: any input, however malformed, yields a result; it never throws.
 *
 * @example
 * const inferred = inferMode('anthropic-messages', body);
 * if (inferred.mode && inferred.confidence >= 0.6) useMode(inferred.mode, 'inferred', inferred.evidence);
 */
export function inferMode(protocol: ClientProtocol, body: unknown): InferredMode {
  try {
    return infer(protocol, body);
  } catch {
    // Bodies come from clients; a getter that throws or a cyclic oddity must not fail the request.
    return { ...NO_SIGNAL, evidence: [] };
  }
}
