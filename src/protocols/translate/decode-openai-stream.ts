/**
 * Decodes an OpenAI Chat Completions stream (one SSE `data:` payload per push) into StreamEvents.
 * Pure and stateful: one decoder per response, state in the closure, each payload parsed once.
 *
 * Handles the compatible servers' variations: reasoning as `reasoning_content` (DeepSeek, vLLM), `reasoning`
 * (OpenRouter) or `reasoning_details` (OpenRouter, with Anthropic signatures); usage in a final chunk with empty
 * (or null) `choices`, or on the finish chunk; a missing `[DONE]`; tool calls without `index`.
 * The finish event waits for `[DONE]` (or `end()`) because the usage chunk comes after the finish_reason chunk.
 * @see https://platform.openai.com/docs/api-reference/chat-streaming
 */
import type { NormalizedUsage } from '../../usage/types.js';
import type { OpenAIReasoningDetail } from '../openai/chat-types.js';
import { emptyUsage, type FinishReason, type StreamEvent } from '../stream-events.js';
import { canonicalFromOpenAIError } from './errors.js';
import { finishReasonFromOpenAI } from './finish-reason.js';
import { mergeUsage, usageFromOpenAI } from './usage.js';
import { isRecord } from './values.js';

/** Upstream OpenAI SSE payloads in, StreamEvents out. */
export interface OpenAIStreamDecoder {
  /** One SSE `data:` payload (`[DONE]` included). Never throws: bad input becomes an `error` event. */
  push(data: string): StreamEvent[];
  /** The upstream body ended: emits the finish (or an error if the stream was cut off). */
  end(): StreamEvent[];
}

interface ToolState {
  blockIndex: number;
  id: string;
  open: boolean;
}

/** Creates a decoder for one upstream response. */
export function createOpenAIStreamDecoder(): OpenAIStreamDecoder {
  let started = false;
  let done = false;
  let nextBlock = 0;
  let textBlock = -1;
  let reasoningBlock = -1;
  let lastToolKey = Number.NaN;
  const tools = new Map<number, ToolState>();
  let openTool: ToolState | undefined;
  let finishReason: FinishReason | null = null;
  let usage: NormalizedUsage = emptyUsage();

  const closeText = (events: StreamEvent[]): void => {
    if (textBlock >= 0) events.push({ type: 'text-end', index: textBlock });
    textBlock = -1;
  };
  const closeReasoning = (events: StreamEvent[]): void => {
    if (reasoningBlock >= 0) events.push({ type: 'reasoning-end', index: reasoningBlock });
    reasoningBlock = -1;
  };
  const closeTool = (events: StreamEvent[]): void => {
    if (openTool?.open) events.push({ type: 'tool-input-end', index: openTool.blockIndex });
    if (openTool) openTool.open = false;
    openTool = undefined;
  };
  const closeAll = (events: StreamEvent[]): void => {
    closeReasoning(events);
    closeText(events);
    closeTool(events);
  };
  const openReasoning = (events: StreamEvent[]): void => {
    if (reasoningBlock >= 0) return;
    closeText(events);
    closeTool(events);
    reasoningBlock = nextBlock++;
    events.push({ type: 'reasoning-start', index: reasoningBlock });
  };
  const reasoningDelta = (events: StreamEvent[], text: string): void => {
    if (!text) return;
    openReasoning(events);
    events.push({ type: 'reasoning-delta', index: reasoningBlock, text });
  };
  const fail = (errorType: string, message: string, status?: number): StreamEvent[] => {
    done = true;
    const events: StreamEvent[] = [];
    closeAll(events);
    events.push({ type: 'error', errorType, message, ...(status !== undefined ? { status } : {}) });
    return events;
  };
  const finish = (): StreamEvent[] => {
    done = true;
    const events: StreamEvent[] = [];
    if (!started) events.push({ type: 'message-start', id: '', model: '' });
    closeAll(events);
    events.push({ type: 'finish', finishReason: finishReason ?? 'stop', usage });
    return events;
  };

  const handleDetails = (events: StreamEvent[], details: OpenAIReasoningDetail[]): void => {
    for (const detail of details) {
      if (!isRecord(detail)) continue;
      if (detail.type === 'reasoning.encrypted' && typeof detail.data === 'string') {
        closeReasoning(events);
        closeText(events);
        closeTool(events);
        events.push({ type: 'reasoning-redacted', index: nextBlock++, data: detail.data });
        continue;
      }
      const text = typeof detail.text === 'string' ? detail.text : typeof detail.summary === 'string' ? detail.summary : '';
      reasoningDelta(events, text);
      if (typeof detail.signature === 'string' && detail.signature) {
        openReasoning(events);
        events.push({ type: 'reasoning-signature', index: reasoningBlock, signature: detail.signature });
      }
    }
  };

  const handleToolCalls = (events: StreamEvent[], calls: unknown[]): StreamEvent[] | undefined => {
    for (const call of calls) {
      if (!isRecord(call)) continue;
      const fn = isRecord(call.function) ? call.function : {};
      // Some servers omit `index`: a new id then means a new call (negative keys never clash with real indexes).
      let key: number;
      if (typeof call.index === 'number') key = call.index;
      else if (typeof call.id === 'string' && call.id && tools.get(lastToolKey)?.id !== call.id) key = -1 - tools.size;
      else key = lastToolKey;
      let state = tools.get(key);
      if (!state) {
        closeReasoning(events);
        closeText(events);
        closeTool(events);
        const blockIndex = nextBlock++;
        const id = typeof call.id === 'string' && call.id ? call.id : `call_${blockIndex}`;
        state = { blockIndex, id, open: true };
        tools.set(key, state);
        openTool = state;
        lastToolKey = key;
        events.push({ type: 'tool-input-start', index: blockIndex, id, name: typeof fn.name === 'string' ? fn.name : '' });
      } else if (!state.open) {
        return fail('api_error', 'upstream interleaved the arguments of parallel tool calls, which cannot be translated');
      }
      if (typeof fn.arguments === 'string' && fn.arguments.length > 0) {
        events.push({ type: 'tool-input-delta', index: state.blockIndex, partialJson: fn.arguments });
      }
    }
    return undefined;
  };

  return {
    push(data: string): StreamEvent[] {
      if (done) return [];
      if (data === '[DONE]') return finish();
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        return fail('api_error', `malformed upstream stream chunk: ${data.slice(0, 200)}`);
      }
      if (!isRecord(chunk)) return fail('api_error', 'malformed upstream stream chunk: not an object');
      if (chunk.error !== undefined && chunk.error !== null) {
        const errorObject = isRecord(chunk.error) ? chunk.error : {};
        const status = typeof errorObject.code === 'number' ? errorObject.code : typeof errorObject.status === 'number' ? errorObject.status : 500;
        const canonical = canonicalFromOpenAIError(status, chunk);
        return fail(canonical.errorType, canonical.message, status);
      }
      const events: StreamEvent[] = [];
      if (!started) {
        started = true;
        events.push({ type: 'message-start', id: typeof chunk.id === 'string' ? chunk.id : '', model: typeof chunk.model === 'string' ? chunk.model : '' });
      }
      if (isRecord(chunk.usage)) usage = mergeUsage(usage, usageFromOpenAI(chunk.usage));
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      // Only the first choice is translated (n > 1 is refused at request translation).
      const choice = choices.length > 0 && isRecord(choices[0]) ? choices[0] : undefined;
      if (!choice) return events;
      const delta = isRecord(choice.delta) ? choice.delta : undefined;
      if (delta) {
        if (Array.isArray(delta.reasoning_details) && delta.reasoning_details.length > 0) {
          handleDetails(events, delta.reasoning_details as OpenAIReasoningDetail[]);
        } else {
          const reasoning = typeof delta.reasoning_content === 'string' ? delta.reasoning_content : delta.reasoning;
          if (typeof reasoning === 'string') reasoningDelta(events, reasoning);
        }
        const text = typeof delta.content === 'string' && delta.content ? delta.content : typeof delta.refusal === 'string' ? delta.refusal : '';
        if (text) {
          closeReasoning(events);
          closeTool(events);
          if (textBlock < 0) {
            textBlock = nextBlock++;
            events.push({ type: 'text-start', index: textBlock });
          }
          events.push({ type: 'text-delta', index: textBlock, text });
        }
        if (Array.isArray(delta.tool_calls)) {
          const failure = handleToolCalls(events, delta.tool_calls);
          if (failure) return [...events, ...failure];
        }
      }
      if (typeof choice.finish_reason === 'string' && choice.finish_reason) {
        closeAll(events);
        finishReason = finishReasonFromOpenAI(choice.finish_reason);
      }
      return events;
    },
    end(): StreamEvent[] {
      if (done) return [];
      if (finishReason !== null) return finish();
      return fail('api_error', 'upstream stream ended before a finish reason');
    },
  };
}
