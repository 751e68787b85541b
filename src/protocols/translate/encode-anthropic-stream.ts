/**
 * Encodes StreamEvents as an Anthropic Messages SSE stream: message_start, content_block_start/delta/stop per
 * block, message_delta (stop reason + final usage), message_stop; `event: error` on failure.
 * Pure and stateful: one encoder per client response; block indexes are renumbered 0, 1, 2… in start order.
 *
 * Usage: an OpenAI upstream reports usage only at the end, so message_start says 0 input tokens and the final
 * message_delta carries every count (input, cache read/write, output), which the SDKs apply as totals.
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import type { NormalizedUsage } from '../../usage/types.js';
import { emptyUsage, type FinishReason, type StreamEvent } from '../stream-events.js';
import { anthropicSseErrorFrame } from './errors.js';
import { finishReasonToAnthropic } from './finish-reason.js';
import type { StreamEncoder } from './encode-openai-stream.js';
import { usageToAnthropic } from './usage.js';

/** Identity of the message the client sees. */
export interface AnthropicStreamEncoderOptions {
  id: string;
  /** The concrete model that serves the request. */
  model: string;
}

type BlockKind = 'text' | 'thinking' | 'tool_use';

function frame(event: string, payload: string): string {
  return `event: ${event}\ndata: ${payload}\n\n`;
}

/** Creates an encoder for one client response. */
export function createAnthropicStreamEncoder(options: AnthropicStreamEncoderOptions): StreamEncoder {
  let started = false;
  let done = false;
  let nextIndex = 0;
  /** Decoder block index → our block index, for open blocks only. */
  const open = new Map<number, { index: number; kind: BlockKind }>();

  const messageStart = (): string => {
    if (started) return '';
    started = true;
    const message = {
      id: options.id,
      type: 'message',
      role: 'assistant',
      model: options.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 0, output_tokens: 0 },
    };
    return frame('message_start', `{"type":"message_start","message":${JSON.stringify(message)}}`);
  };
  const startBlock = (key: number, kind: BlockKind, contentBlock: Record<string, unknown>): string => {
    let text = messageStart() + closeBlock(key);
    const index = nextIndex++;
    open.set(key, { index, kind });
    text += frame('content_block_start', `{"type":"content_block_start","index":${index},"content_block":${JSON.stringify(contentBlock)}}`);
    return text;
  };
  const closeBlock = (key: number): string => {
    const block = open.get(key);
    if (!block) return '';
    open.delete(key);
    return frame('content_block_stop', `{"type":"content_block_stop","index":${block.index}}`);
  };
  /** The block for a delta, started on the fly if the decoder skipped its start. */
  const ensureBlock = (key: number, kind: BlockKind): { prelude: string; index: number } => {
    const block = open.get(key);
    if (block && block.kind === kind) return { prelude: '', index: block.index };
    const prelude = startBlock(key, kind, kind === 'text' ? { type: 'text', text: '' } : kind === 'thinking' ? { type: 'thinking', thinking: '', signature: '' } : { type: 'tool_use', id: `toolu_${key}`, name: '', input: {} });
    return { prelude, index: open.get(key)!.index };
  };
  const delta = (key: number, kind: BlockKind, value: Record<string, unknown>): string => {
    const { prelude, index } = ensureBlock(key, kind);
    return `${prelude}${frame('content_block_delta', `{"type":"content_block_delta","index":${index},"delta":${JSON.stringify(value)}}`)}`;
  };
  const closing = (finishReason: FinishReason, stopSequence: string | null, usage: NormalizedUsage): string => {
    done = true;
    let text = messageStart();
    for (const key of [...open.keys()]) text += closeBlock(key);
    const messageDelta = {
      type: 'message_delta',
      delta: { stop_reason: finishReasonToAnthropic(finishReason), stop_sequence: stopSequence },
      usage: usageToAnthropic(usage),
    };
    text += frame('message_delta', JSON.stringify(messageDelta));
    return text + frame('message_stop', '{"type":"message_stop"}');
  };

  return {
    push(event: StreamEvent): string {
      if (done) return '';
      switch (event.type) {
        case 'message-start':
          return messageStart();
        case 'text-start':
          return startBlock(event.index, 'text', { type: 'text', text: '' });
        case 'text-delta':
          return event.text ? delta(event.index, 'text', { type: 'text_delta', text: event.text }) : '';
        case 'reasoning-start':
          return startBlock(event.index, 'thinking', { type: 'thinking', thinking: '', signature: '' });
        case 'reasoning-delta':
          return event.text ? delta(event.index, 'thinking', { type: 'thinking_delta', thinking: event.text }) : '';
        case 'reasoning-signature':
          return delta(event.index, 'thinking', { type: 'signature_delta', signature: event.signature });
        case 'reasoning-redacted': {
          const text = startBlock(event.index, 'thinking', { type: 'redacted_thinking', data: event.data });
          return text + closeBlock(event.index);
        }
        case 'tool-input-start':
          return startBlock(event.index, 'tool_use', { type: 'tool_use', id: event.id, name: event.name, input: {} });
        case 'tool-input-delta':
          return event.partialJson ? delta(event.index, 'tool_use', { type: 'input_json_delta', partial_json: event.partialJson }) : '';
        case 'text-end':
        case 'reasoning-end':
        case 'tool-input-end':
          return closeBlock(event.index);
        case 'finish':
          return closing(event.finishReason, event.stopSequence ?? null, event.usage);
        case 'error':
          done = true;
          return anthropicSseErrorFrame(event);
        default:
          return '';
      }
    },
    end(): string {
      return done ? '' : closing('stop', null, emptyUsage());
    },
  };
}
