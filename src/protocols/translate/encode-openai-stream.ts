/**
 * Encodes StreamEvents as an OpenAI Chat Completions SSE stream (`data: {chunk}\n\n` … `data: [DONE]\n\n`).
 * Pure and stateful: one encoder per client response. Each chunk is built from a precomputed prefix and one
 * JSON.stringify of the delta, so the per-event cost stays small.
 *
 * Reasoning goes out twice in one delta, as `reasoning_content` (read by DeepSeek/vLLM-style clients) and as
 * OpenRouter's `reasoning_details` (read by OpenRouter-style clients; it carries Anthropic's signature so the
 * client can send the thinking back on the next turn). A client reads one or the other, never both.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import type { OpenAIReasoningDetail } from '../openai/chat-types.js';
import { emptyUsage, type StreamEvent } from '../stream-events.js';
import { openaiSseErrorFrame } from './errors.js';
import { finishReasonToOpenAI } from './finish-reason.js';
import { usageToOpenAI } from './usage.js';
import { ANTHROPIC_REASONING_FORMAT } from './values.js';

/** Identity of the stream the client sees. */
export interface OpenAIStreamEncoderOptions {
  id: string;
  /** The concrete model that serves the request. */
  model: string;
  /** Unix seconds. */
  created: number;
  /** The client asked for `stream_options.include_usage`: send the final usage chunk. */
  includeUsage: boolean;
}

/** StreamEvents in, client SSE text out. */
export interface StreamEncoder {
  /** Encodes one event; returns '' when it produces no bytes. */
  push(event: StreamEvent): string;
  /** Closes the stream: the finish chunk, usage and `[DONE]` if no finish/error was pushed yet. */
  end(): string;
}

/** Creates an encoder for one client response. */
export function createOpenAIStreamEncoder(options: OpenAIStreamEncoderOptions): StreamEncoder {
  const prefix = `data: {"id":${JSON.stringify(options.id)},"object":"chat.completion.chunk","created":${Math.floor(options.created)},"model":${JSON.stringify(options.model)}`;
  let started = false;
  let done = false;
  const toolIndexes = new Map<number, number>();
  const reasoningIndexes = new Map<number, number>();

  // OpenAI's first chunk carries the role and an empty content string.
  const firstChunk = (): string => {
    if (started) return '';
    started = true;
    return `${prefix},"choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}]}\n\n`;
  };
  const chunk = (delta: Record<string, unknown>): string => {
    return `${firstChunk()}${prefix},"choices":[{"index":0,"delta":${JSON.stringify(delta)},"logprobs":null,"finish_reason":null}]}\n\n`;
  };
  const reasoningIndex = (blockIndex: number): number => {
    let index = reasoningIndexes.get(blockIndex);
    if (index === undefined) {
      index = reasoningIndexes.size;
      reasoningIndexes.set(blockIndex, index);
    }
    return index;
  };
  const detail = (value: OpenAIReasoningDetail): Record<string, unknown> => ({ reasoning_details: [value] });
  const closing = (finishReason: string, usage: ReturnType<typeof emptyUsage>): string => {
    done = true;
    let text = firstChunk();
    text += `${prefix},"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":${JSON.stringify(finishReason)}}]}\n\n`;
    if (options.includeUsage) text += `${prefix},"choices":[],"usage":${JSON.stringify(usageToOpenAI(usage))}}\n\n`;
    return `${text}data: [DONE]\n\n`;
  };

  return {
    push(event: StreamEvent): string {
      if (done) return '';
      switch (event.type) {
        case 'message-start':
          return firstChunk();
        case 'text-delta':
          return event.text ? chunk({ content: event.text }) : '';
        case 'reasoning-delta': {
          if (!event.text) return '';
          const index = reasoningIndex(event.index);
          return chunk({
            reasoning_content: event.text,
            reasoning_details: [{ type: 'reasoning.text', text: event.text, format: ANTHROPIC_REASONING_FORMAT, index }],
          });
        }
        case 'reasoning-signature':
          return chunk(detail({ type: 'reasoning.text', text: '', signature: event.signature, format: ANTHROPIC_REASONING_FORMAT, index: reasoningIndex(event.index) }));
        case 'reasoning-redacted':
          return chunk(detail({ type: 'reasoning.encrypted', data: event.data, format: ANTHROPIC_REASONING_FORMAT, index: reasoningIndex(event.index) }));
        case 'tool-input-start': {
          const index = toolIndexes.size;
          toolIndexes.set(event.index, index);
          return chunk({ tool_calls: [{ index, id: event.id, type: 'function', function: { name: event.name, arguments: '' } }] });
        }
        case 'tool-input-delta': {
          const index = toolIndexes.get(event.index);
          if (index === undefined || !event.partialJson) return '';
          return chunk({ tool_calls: [{ index, function: { arguments: event.partialJson } }] });
        }
        case 'finish':
          return closing(finishReasonToOpenAI(event.finishReason), event.usage);
        case 'error':
          done = true;
          return openaiSseErrorFrame(event);
        default:
          // text-start/-end, reasoning-start/-end, tool-input-end: Chat Completions has no block boundaries.
          return '';
      }
    },
    end(): string {
      return done ? '' : closing('stop', emptyUsage());
    },
  };
}
