/**
 * A bounded, protocol-neutral view of the parts of a request that carry an agent's mode: the system prompt blocks,
 * the text of the most recent user turns (newest first) and the names of the offered tools.
 *
 * Everything here is lenient (unknown shapes are skipped, never thrown on) and bounded: only the last few user turns
 * and a fixed number of content parts per turn are kept, so a 200-message history costs the same as a short one.
 */
import type { ClientProtocol } from '../../usage/types.js';

/** How many user turns, newest first, are kept for reminder and environment-block scanning. */
export const MAX_USER_TURNS = 8;
/** How many content parts of one message are kept. */
const MAX_PARTS_PER_MESSAGE = 16;
/** How many system blocks are kept (Claude Code sends a billing header, an identity line and the prompt). */
const MAX_SYSTEM_BLOCKS = 6;

/**
 * A message that may carry a mode marker: a user turn, or a system message the harness put in the middle of the
 * conversation (Anthropic Messages only; Claude Code sends its plan-mode notes that way under the
 * `mid-conversation-system` beta instead of as a `<system-reminder>` in the user turn).
 */
export interface MarkerTurn {
  from: 'user' | 'system';
  /** For a user turn, its place among user turns (0 = newest); for a system message, how many user turns follow it. */
  userIndex: number;
  texts: string[];
}

/** The neutral view the detectors read. */
export interface RequestView {
  /** System (and developer) prompt texts in request order. */
  systemBlocks: string[];
  /** Text parts of the most recent user messages, newest message first. */
  userTurns: string[][];
  /** The user turns and mid-conversation system messages, newest first, for marker scanning. */
  markerTurns: MarkerTurn[];
  /** Tool names offered to the model, in request order. */
  toolNames: string[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Collects the text of a message `content` (a string or an array of parts) into `into`. */
function collectTexts(content: unknown, into: string[]): void {
  if (typeof content === 'string') {
    into.push(content);
    return;
  }
  if (!Array.isArray(content)) return;
  const limit = Math.min(content.length, MAX_PARTS_PER_MESSAGE);
  for (let index = 0; index < limit; index++) {
    const part: unknown = content[index];
    if (typeof part === 'string') {
      into.push(part);
    } else if (isRecord(part)) {
      if (typeof part.text === 'string') {
        into.push(part.text);
      } else if (part.type === 'tool_result') {
        // Claude Code attaches system reminders to tool results as well as to plain text blocks.
        collectTexts(part.content, into);
      }
    }
  }
}

function roleOf(message: Json): string | undefined {
  return typeof message.role === 'string' ? message.role : undefined;
}

/**
 * Reads the newest user messages from a message list, newest first, into `view.userTurns` and `view.markerTurns`.
 * With `harnessSystemMessages`, system messages between the turns are marker turns too (Anthropic Messages has no
 * system role in `messages` except the harness's mid-conversation notes); otherwise system and developer messages
 * are prompt text and go to `systemBlocks`.
 */
function collectTurns(messages: unknown[], view: RequestView, harnessSystemMessages: boolean, systemBlocks: string[] | undefined): void {
  let systemNotes = 0;
  for (let index = messages.length - 1; index >= 0 && view.userTurns.length < MAX_USER_TURNS; index--) {
    const message: unknown = messages[index];
    if (!isRecord(message)) continue;
    const role = roleOf(message);
    if (role === 'user') {
      const texts: string[] = [];
      collectTexts(message.content, texts);
      view.markerTurns.push({ from: 'user', userIndex: view.userTurns.length, texts });
      view.userTurns.push(texts);
    } else if (role === 'system' && harnessSystemMessages && systemNotes < MAX_USER_TURNS) {
      systemNotes++;
      const texts: string[] = [];
      collectTexts(message.content, texts);
      view.markerTurns.push({ from: 'system', userIndex: view.userTurns.length, texts });
    }
  }
  if (systemBlocks) {
    // System and developer messages: Chat Completions and Responses put them in the list; usually first.
    const limit = Math.min(messages.length, 64);
    for (let index = 0; index < limit && systemBlocks.length < MAX_SYSTEM_BLOCKS; index++) {
      const message: unknown = messages[index];
      if (!isRecord(message)) continue;
      const role = roleOf(message);
      if (role === 'system' || role === 'developer') collectTexts(message.content, systemBlocks);
    }
  }
}

function collectToolNames(tools: unknown): string[] {
  if (!Array.isArray(tools)) return [];
  const names: string[] = [];
  const limit = Math.min(tools.length, 256);
  for (let index = 0; index < limit; index++) {
    const tool: unknown = tools[index];
    if (!isRecord(tool)) continue;
    if (typeof tool.name === 'string') {
      names.push(tool.name);
    } else if (isRecord(tool.function) && typeof tool.function.name === 'string') {
      names.push(tool.function.name);
    }
  }
  return names;
}

/** Builds the neutral view of a parsed request body. Never throws on unexpected shapes. */
export function viewRequest(protocol: ClientProtocol, body: unknown): RequestView {
  const view: RequestView = { systemBlocks: [], userTurns: [], markerTurns: [], toolNames: [] };
  if (!isRecord(body)) return view;
  view.toolNames = collectToolNames(body.tools);
  if (protocol === 'anthropic-messages') {
    collectTexts(body.system, view.systemBlocks);
    if (view.systemBlocks.length > MAX_SYSTEM_BLOCKS) view.systemBlocks.length = MAX_SYSTEM_BLOCKS;
    if (Array.isArray(body.messages)) collectTurns(body.messages, view, true, undefined);
    return view;
  }
  if (protocol === 'openai-responses') {
    if (typeof body.instructions === 'string') view.systemBlocks.push(body.instructions);
    if (typeof body.input === 'string') {
      view.userTurns = [[body.input]];
      view.markerTurns = [{ from: 'user', userIndex: 0, texts: view.userTurns[0]! }];
    } else if (Array.isArray(body.input)) {
      collectTurns(body.input, view, false, view.systemBlocks);
    }
    return view;
  }
  if (Array.isArray(body.messages)) collectTurns(body.messages, view, false, view.systemBlocks);
  return view;
}
