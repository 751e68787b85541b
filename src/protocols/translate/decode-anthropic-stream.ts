/**
 * Decodes an Anthropic Messages stream (SSE event name + data per push) into StreamEvents.
 * Pure and stateful: one decoder per response, state in the closure, each payload parsed once.
 * Server-tool blocks (`server_tool_use`, `web_search_tool_result`, …) have no translation and are skipped.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import type { NormalizedUsage } from '../../usage/types.js';
import { emptyUsage, type FinishReason, type StreamEvent } from '../stream-events.js';
import { finishReasonFromAnthropic } from './finish-reason.js';
import { mergeUsage, usageFromAnthropic } from './usage.js';
import { isRecord } from './values.js';

/** Upstream Anthropic SSE events in, StreamEvents out. */
export interface AnthropicStreamDecoder {
  /** One SSE event: its `event:` name (may be undefined; the payload's `type` wins) and `data:` text. */
  push(eventName: string | undefined, data: string): StreamEvent[];
  /** The upstream body ended: emits the finish if `message_stop` was missing, or an error if cut off earlier. */
  end(): StreamEvent[];
}

type BlockKind = 'text' | 'reasoning' | 'tool' | 'skipped';

/** Creates a decoder for one upstream response. */
export function createAnthropicStreamDecoder(): AnthropicStreamDecoder {
  let started = false;
  let done = false;
  const open = new Map<number, BlockKind>();
  let finishReason: FinishReason | null = null;
  let stopSequence: string | null = null;
  let usage: NormalizedUsage = emptyUsage();

  const closeBlock = (events: StreamEvent[], index: number): void => {
    const kind = open.get(index);
    if (kind === 'text') events.push({ type: 'text-end', index });
    else if (kind === 'reasoning') events.push({ type: 'reasoning-end', index });
    else if (kind === 'tool') events.push({ type: 'tool-input-end', index });
    open.delete(index);
  };
  const closeAll = (events: StreamEvent[]): void => {
    for (const index of [...open.keys()]) closeBlock(events, index);
  };
  const fail = (errorType: string, message: string): StreamEvent[] => {
    done = true;
    const events: StreamEvent[] = [];
    closeAll(events);
    events.push({ type: 'error', errorType, message });
    return events;
  };
  const finish = (): StreamEvent[] => {
    done = true;
    const events: StreamEvent[] = [];
    closeAll(events);
    events.push({ type: 'finish', finishReason: finishReason ?? 'stop', stopSequence, usage });
    return events;
  };

  const blockStart = (events: StreamEvent[], index: number, block: Record<string, unknown>): void => {
    switch (block.type) {
      case 'text':
        open.set(index, 'text');
        events.push({ type: 'text-start', index });
        if (typeof block.text === 'string' && block.text) events.push({ type: 'text-delta', index, text: block.text });
        return;
      case 'thinking':
        open.set(index, 'reasoning');
        events.push({ type: 'reasoning-start', index });
        if (typeof block.thinking === 'string' && block.thinking) events.push({ type: 'reasoning-delta', index, text: block.thinking });
        if (typeof block.signature === 'string' && block.signature) events.push({ type: 'reasoning-signature', index, signature: block.signature });
        return;
      case 'redacted_thinking':
        open.set(index, 'skipped');
        events.push({ type: 'reasoning-redacted', index, data: typeof block.data === 'string' ? block.data : '' });
        return;
      case 'tool_use':
        open.set(index, 'tool');
        events.push({ type: 'tool-input-start', index, id: String(block.id ?? `toolu_${index}`), name: String(block.name ?? '') });
        // The input normally streams as input_json_delta from `{}`; a start block that already has input sends it whole.
        if (isRecord(block.input) && Object.keys(block.input).length > 0) {
          events.push({ type: 'tool-input-delta', index, partialJson: JSON.stringify(block.input) });
        }
        return;
      default:
        open.set(index, 'skipped');
    }
  };

  const blockDelta = (events: StreamEvent[], index: number, delta: Record<string, unknown>): void => {
    const kind = open.get(index);
    if (kind === undefined || kind === 'skipped') return;
    if (delta.type === 'text_delta' && kind === 'text' && typeof delta.text === 'string') {
      events.push({ type: 'text-delta', index, text: delta.text });
    } else if (delta.type === 'thinking_delta' && kind === 'reasoning' && typeof delta.thinking === 'string') {
      events.push({ type: 'reasoning-delta', index, text: delta.thinking });
    } else if (delta.type === 'signature_delta' && kind === 'reasoning' && typeof delta.signature === 'string') {
      events.push({ type: 'reasoning-signature', index, signature: delta.signature });
    } else if (delta.type === 'input_json_delta' && kind === 'tool' && typeof delta.partial_json === 'string' && delta.partial_json) {
      events.push({ type: 'tool-input-delta', index, partialJson: delta.partial_json });
    }
  };

  return {
    push(eventName: string | undefined, data: string): StreamEvent[] {
      if (done) return [];
      let payload: unknown;
      try {
        payload = JSON.parse(data);
      } catch {
        return fail('api_error', `malformed upstream stream event${eventName ? ` (${eventName})` : ''}: ${data.slice(0, 200)}`);
      }
      if (!isRecord(payload)) return fail('api_error', 'malformed upstream stream event: not an object');
      const type = typeof payload.type === 'string' ? payload.type : eventName;
      const events: StreamEvent[] = [];
      switch (type) {
        case 'message_start': {
          const message = isRecord(payload.message) ? payload.message : {};
          if (isRecord(message.usage)) usage = mergeUsage(usage, usageFromAnthropic(message.usage));
          if (!started) {
            started = true;
            events.push({ type: 'message-start', id: String(message.id ?? ''), model: String(message.model ?? '') });
          }
          return events;
        }
        case 'content_block_start':
          if (typeof payload.index === 'number' && isRecord(payload.content_block)) blockStart(events, payload.index, payload.content_block);
          return events;
        case 'content_block_delta':
          if (typeof payload.index === 'number' && isRecord(payload.delta)) blockDelta(events, payload.index, payload.delta);
          return events;
        case 'content_block_stop':
          if (typeof payload.index === 'number') closeBlock(events, payload.index);
          return events;
        case 'message_delta': {
          const delta = isRecord(payload.delta) ? payload.delta : {};
          if (typeof delta.stop_reason === 'string') finishReason = finishReasonFromAnthropic(delta.stop_reason);
          if (typeof delta.stop_sequence === 'string') stopSequence = delta.stop_sequence;
          if (isRecord(payload.usage)) {
            const later = usageFromAnthropic(payload.usage);
            // message_delta usage may carry only output_tokens; its null input must not erase message_start's.
            usage = mergeUsage(usage, later);
          }
          return events;
        }
        case 'message_stop':
          return finish();
        case 'error': {
          const error = isRecord(payload.error) ? payload.error : {};
          return fail(typeof error.type === 'string' ? error.type : 'api_error', typeof error.message === 'string' ? error.message : 'upstream error');
        }
        default:
          // ping and event types added after this was written.
          return events;
      }
    },
    end(): StreamEvent[] {
      if (done) return [];
      if (finishReason !== null) return finish();
      return fail('api_error', 'upstream stream ended before message_stop');
    },
  };
}
