/**
 * Stop/finish reason mapping.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 * @see https://platform.openai.com/docs/api-reference/chat/object (choices[].finish_reason)
 */
import type { AnthropicStopReason } from '../anthropic/messages-types.js';
import type { OpenAIFinishReason } from '../openai/chat-types.js';
import type { FinishReason } from '../stream-events.js';

/** OpenAI `finish_reason` → internal. Unknown values (some compatible servers invent their own) → `stop`. */
export function finishReasonFromOpenAI(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool_calls':
    case 'function_call':
      return 'tool-calls';
    case 'content_filter':
      return 'content-filter';
    case 'error':
      return 'error';
    default:
      return 'stop';
  }
}

/** Internal → OpenAI `finish_reason`. `pause` has no OpenAI twin: the turn ended, so `stop`. */
export function finishReasonToOpenAI(reason: FinishReason): OpenAIFinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'tool-calls':
      return 'tool_calls';
    case 'content-filter':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Anthropic `stop_reason` → internal. */
export function finishReasonFromAnthropic(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop_sequence':
      return 'stop-sequence';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool-calls';
    case 'refusal':
      return 'content-filter';
    case 'pause_turn':
      return 'pause';
    default:
      return 'stop';
  }
}

/** Internal → Anthropic `stop_reason`. An `error` finish (stream cut off) is reported as `end_turn`. */
export function finishReasonToAnthropic(reason: FinishReason): AnthropicStopReason {
  switch (reason) {
    case 'stop-sequence':
      return 'stop_sequence';
    case 'length':
      return 'max_tokens';
    case 'tool-calls':
      return 'tool_use';
    case 'content-filter':
      return 'refusal';
    case 'pause':
      return 'pause_turn';
    default:
      return 'end_turn';
  }
}
