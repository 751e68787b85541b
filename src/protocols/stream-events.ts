/**
 * The internal stream event union every cross-protocol stream goes through:
 * `upstream SSE → decode-<upstream>-stream → StreamEvent → encode-<client>-stream → client SSE`.
 *
 * Block events carry an `index` that is the decoder's own key for the block (stable from its `*-start` to its
 * `*-end`). Encoders renumber blocks for their wire format, so an index is never copied to the client as is.
 * Plain types only: pure modules import this file.
 */
import type { NormalizedUsage } from '../usage/types.js';

/**
 * Why generation stopped, in one vocabulary for both protocols.
 * OpenAI `stop` ⇄ Anthropic `end_turn`; `stop-sequence` keeps Anthropic's distinction (OpenAI says `stop`);
 * `length` ⇄ `max_tokens`; `tool-calls` ⇄ `tool_use`; `content-filter` ⇄ `refusal`;
 * `pause` is Anthropic's `pause_turn` (a server tool loop paused); `error` when the stream broke off.
 */
export type FinishReason = 'stop' | 'stop-sequence' | 'length' | 'tool-calls' | 'content-filter' | 'pause' | 'error';

/** The upstream's message began (first chunk). `id`/`model` are the upstream's; encoders use their own. */
export interface MessageStartEvent {
  type: 'message-start';
  id: string;
  model: string;
}

export interface TextStartEvent {
  type: 'text-start';
  index: number;
}
export interface TextDeltaEvent {
  type: 'text-delta';
  index: number;
  text: string;
}
export interface TextEndEvent {
  type: 'text-end';
  index: number;
}

/** A thinking/reasoning block began. */
export interface ReasoningStartEvent {
  type: 'reasoning-start';
  index: number;
}
export interface ReasoningDeltaEvent {
  type: 'reasoning-delta';
  index: number;
  text: string;
}
/** Anthropic's opaque signature of a thinking block; it must travel back unchanged on the next turn. */
export interface ReasoningSignatureEvent {
  type: 'reasoning-signature';
  index: number;
  signature: string;
}
/** A whole redacted (encrypted) thinking block: opaque data, no text, no start/end pair. */
export interface ReasoningRedactedEvent {
  type: 'reasoning-redacted';
  index: number;
  data: string;
}
export interface ReasoningEndEvent {
  type: 'reasoning-end';
  index: number;
}

/** A tool call began; its arguments follow as JSON text fragments. */
export interface ToolInputStartEvent {
  type: 'tool-input-start';
  index: number;
  id: string;
  name: string;
}
export interface ToolInputDeltaEvent {
  type: 'tool-input-delta';
  index: number;
  partialJson: string;
}
export interface ToolInputEndEvent {
  type: 'tool-input-end';
  index: number;
}

/** Generation ended normally. All blocks are closed before this event. */
export interface FinishEvent {
  type: 'finish';
  finishReason: FinishReason;
  /** The matched stop sequence, when the upstream reported one (Anthropic only). */
  stopSequence?: string | null;
  usage: NormalizedUsage;
}

/**
 * The upstream reported an error, sent a chunk we could not parse, or ended too early.
 * `errorType` uses Anthropic's error type names (`overloaded_error`, `rate_limit_error`, `api_error`, …) as the
 * common vocabulary; `errors.ts` maps them to OpenAI's shape. Nothing follows an error event.
 */
export interface ErrorEvent {
  type: 'error';
  errorType: string;
  message: string;
  status?: number;
}

/** Every event a decoder can produce and an encoder accepts. */
export type StreamEvent =
  | MessageStartEvent
  | TextStartEvent
  | TextDeltaEvent
  | TextEndEvent
  | ReasoningStartEvent
  | ReasoningDeltaEvent
  | ReasoningSignatureEvent
  | ReasoningRedactedEvent
  | ReasoningEndEvent
  | ToolInputStartEvent
  | ToolInputDeltaEvent
  | ToolInputEndEvent
  | FinishEvent
  | ErrorEvent;

/** A usage object with every count unknown. */
export function emptyUsage(): NormalizedUsage {
  return { inputTokens: null, outputTokens: null, cacheReadTokens: null, cacheWriteTokens: null, reasoningTokens: null };
}
