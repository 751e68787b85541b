/** Non-streaming: an Anthropic `message` → an OpenAI `chat.completion`. */
import type { AnthropicMessage, AnthropicTextBlock, AnthropicToolUseBlock } from '../anthropic/messages-types.js';
import type { OpenAIChatCompletion, OpenAIMessage, OpenAIReasoningDetail, OpenAIToolCall } from '../openai/chat-types.js';
import { finishReasonFromAnthropic, finishReasonToOpenAI } from './finish-reason.js';
import { usageFromAnthropic, usageToOpenAI } from './usage.js';
import { ANTHROPIC_REASONING_FORMAT, isObject } from './values.js';

/** Identity of the completion the client sees. */
export interface CompletionIdentity {
  /** Defaults to the upstream message id. */
  id?: string;
  /** The model to report (the concrete model that served the request); defaults to the upstream's. */
  model?: string;
  /** Unix seconds; injected so the translator stays pure. */
  created: number;
}

/**
 * Translates a Messages response. Thinking becomes `reasoning_content` (DeepSeek/vLLM style) plus OpenRouter's
 * `reasoning_details` with the signature, so the client can send it back on the next turn.
 */
export function anthropicMessageToOpenaiCompletion(message: AnthropicMessage, identity: CompletionIdentity): OpenAIChatCompletion {
  const texts: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  const details: OpenAIReasoningDetail[] = [];
  let reasoning = '';
  for (const block of Array.isArray(message.content) ? message.content : []) {
    if (!isObject(block)) continue;
    if (block.type === 'text') texts.push((block as AnthropicTextBlock).text);
    else if (block.type === 'tool_use') {
      const call = block as AnthropicToolUseBlock;
      toolCalls.push({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) } });
    } else if (block.type === 'thinking') {
      const thinking = block as { thinking: string; signature: string };
      reasoning += thinking.thinking;
      details.push({ type: 'reasoning.text', text: thinking.thinking, signature: thinking.signature, format: ANTHROPIC_REASONING_FORMAT, index: details.length });
    } else if (block.type === 'redacted_thinking') {
      details.push({ type: 'reasoning.encrypted', data: (block as { data: string }).data, format: ANTHROPIC_REASONING_FORMAT, index: details.length });
    }
  }
  const finishReason = finishReasonToOpenAI(finishReasonFromAnthropic(message.stop_reason));
  const assistant: OpenAIMessage & { role: 'assistant'; content: string | null } = {
    role: 'assistant',
    content: texts.length > 0 ? texts.join('') : null,
  };
  if (finishReason === 'content_filter' && assistant.content) assistant.refusal = assistant.content;
  if (toolCalls.length > 0) assistant.tool_calls = toolCalls;
  if (reasoning) assistant.reasoning_content = reasoning;
  if (details.length > 0) assistant.reasoning_details = details;
  return {
    id: identity.id ?? message.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model ?? message.model,
    choices: [{ index: 0, message: assistant, finish_reason: finishReason, logprobs: null }],
    usage: usageToOpenAI(usageFromAnthropic(message.usage)),
  };
}
