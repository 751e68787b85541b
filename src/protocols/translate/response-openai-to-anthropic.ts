/** Non-streaming: an OpenAI `chat.completion` → an Anthropic `message`. */
import type { AnthropicContentBlock, AnthropicMessage } from '../anthropic/messages-types.js';
import type { OpenAIChatCompletion, OpenAIMessage, OpenAIReasoningDetail } from '../openai/chat-types.js';
import { finishReasonFromOpenAI, finishReasonToAnthropic } from './finish-reason.js';
import { usageFromOpenAI, usageToAnthropic } from './usage.js';
import { isRecord, parseJsonSafe } from './values.js';

/** Identity of the message the client sees. */
export interface MessageIdentity {
  /** Defaults to the upstream completion id. */
  id?: string;
  /** The model to report; defaults to the upstream's. */
  model?: string;
}

/**
 * Translates a Chat Completions response (first choice). Reasoning with signatures (OpenRouter's
 * `reasoning_details`) becomes thinking blocks; unsigned reasoning (`reasoning_content`/`reasoning`) becomes a
 * thinking block with an empty signature, which an Anthropic client can display but the gateway will not replay.
 */
export function openaiCompletionToAnthropicMessage(completion: OpenAIChatCompletion, identity: MessageIdentity = {}): AnthropicMessage {
  const choice = Array.isArray(completion.choices) ? completion.choices[0] : undefined;
  const message: Partial<OpenAIMessage> = isRecord(choice) && isRecord(choice.message) ? choice.message : {};
  const content: AnthropicContentBlock[] = [];
  content.push(...thinkingBlocks(message));
  const text = typeof message.content === 'string' ? message.content : typeof message.refusal === 'string' ? message.refusal : '';
  if (text) content.push({ type: 'text', text });
  if (Array.isArray(message.tool_calls)) {
    for (const call of message.tool_calls) {
      if (!isRecord(call) || !isRecord(call.function)) continue;
      const argumentsText = typeof call.function.arguments === 'string' ? call.function.arguments : '';
      const input = argumentsText.trim() === '' ? {} : parseJsonSafe(argumentsText);
      content.push({ type: 'tool_use', id: String(call.id), name: String(call.function.name), input: isRecord(input) ? input : {} });
    }
  }
  const finishReason = finishReasonFromOpenAI(isRecord(choice) ? (choice.finish_reason as string | null) : null);
  return {
    id: identity.id ?? String(completion.id ?? ''),
    type: 'message',
    role: 'assistant',
    model: identity.model ?? String(completion.model ?? ''),
    content,
    stop_reason: finishReasonToAnthropic(finishReason),
    stop_sequence: null,
    usage: usageToAnthropic(usageFromOpenAI(completion.usage)),
  };
}

function thinkingBlocks(message: Partial<OpenAIMessage>): AnthropicContentBlock[] {
  const details: OpenAIReasoningDetail[] = Array.isArray(message.reasoning_details) ? message.reasoning_details : [];
  const blocks: AnthropicContentBlock[] = [];
  let current: { key: number | null; text: string; signature: string } | undefined;
  const flush = (): void => {
    if (current) blocks.push({ type: 'thinking', thinking: current.text, signature: current.signature });
    current = undefined;
  };
  for (const detail of details) {
    if (!isRecord(detail)) continue;
    if (detail.type === 'reasoning.encrypted' && typeof detail.data === 'string') {
      flush();
      blocks.push({ type: 'redacted_thinking', data: detail.data });
    } else if (detail.type === 'reasoning.text' || detail.type === 'reasoning.summary') {
      const key = typeof detail.index === 'number' ? detail.index : null;
      if (current && current.key !== key) flush();
      current ??= { key, text: '', signature: '' };
      current.text += typeof detail.text === 'string' ? detail.text : typeof detail.summary === 'string' ? detail.summary : '';
      if (typeof detail.signature === 'string') current.signature = detail.signature;
    }
  }
  flush();
  if (blocks.length > 0) return blocks;
  const plain = message.reasoning_content ?? message.reasoning;
  return typeof plain === 'string' && plain ? [{ type: 'thinking', thinking: plain, signature: '' }] : [];
}
