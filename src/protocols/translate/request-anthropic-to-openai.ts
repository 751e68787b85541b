/**
 * Anthropic Messages request → OpenAI Chat Completions request.
 * Whatever Chat Completions cannot express is dropped with a warning, never silently.
 *
 * `dialect` picks the OpenAI-compatible flavour of the upstream:
 * - `openrouter` (default): OpenRouter's extensions, which carry Anthropic features losslessly to Claude models:
 *   `reasoning: {max_tokens}`, assistant `reasoning_details` with signatures (so a thinking + tool loop keeps
 *   working), `cache_control` on text parts, `top_k`, `max_tokens`.
 * - `openai`: strict OpenAI fields only (`reasoning_effort`, `max_completion_tokens`); thinking history is dropped.
 */
import type {
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from '../anthropic/messages-types.js';
import type {
  OpenAIChatRequest,
  OpenAIContentPart,
  OpenAIMessage,
  OpenAIReasoningDetail,
  OpenAITextPart,
  OpenAITool,
  OpenAIToolCall,
} from '../openai/chat-types.js';
import { toDataUrl } from './content-parts.js';
import type { TranslatedRequest } from './request-openai-to-anthropic.js';
import { ANTHROPIC_REASONING_FORMAT, isObject, isRecord } from './values.js';

/** Options for {@link anthropicToOpenaiChat}. */
export interface AnthropicToOpenaiOptions {
  /** The concrete upstream model id. */
  model: string;
  /** The upstream's flavour of Chat Completions; default `openrouter`. */
  dialect?: 'openrouter' | 'openai';
}

const HANDLED_FIELDS = new Set([
  'model', 'messages', 'system', 'max_tokens', 'temperature', 'top_p', 'top_k', 'stop_sequences', 'stream', 'tools',
  'tool_choice', 'thinking', 'metadata',
]);

/** Effort level for a thinking budget (inverse of EFFORT_TO_BUDGET, by thresholds). */
export function budgetToEffort(budget: number): 'low' | 'medium' | 'high' {
  if (budget <= 4096) return 'low';
  if (budget <= 16384) return 'medium';
  return 'high';
}

/** Translates an Anthropic Messages body into a Chat Completions body. Never throws on odd input. */
export function anthropicToOpenaiChat(
  body: AnthropicMessagesRequest,
  options: AnthropicToOpenaiOptions,
): TranslatedRequest<OpenAIChatRequest> {
  const warnings: string[] = [];
  const openrouter = (options.dialect ?? 'openrouter') === 'openrouter';
  const messages: OpenAIMessage[] = [];

  if (typeof body.system === 'string') {
    if (body.system.length > 0) messages.push({ role: 'system', content: body.system });
  } else if (Array.isArray(body.system)) {
    for (const block of body.system) {
      if (!isRecord(block) || block.type !== 'text') continue;
      messages.push({ role: 'system', content: textContent([block], openrouter) });
    }
  }

  const input = Array.isArray(body.messages) ? body.messages : [];
  input.forEach((message, position) => {
    const where = `messages[${position}]`;
    if (!isRecord(message)) {
      warnings.push(`${where} is not an object and was dropped`);
      return;
    }
    const blocks: AnthropicContentBlock[] =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : Array.isArray(message.content) ? message.content : [];
    if (message.role === 'assistant') messages.push(assistantMessage(blocks, where, warnings, openrouter));
    else if (message.role === 'user') messages.push(...userMessages(blocks, where, warnings, openrouter));
    else warnings.push(`${where}: role "${String(message.role)}" is not supported and was dropped`);
  });

  const result: OpenAIChatRequest = { model: options.model, messages };
  if (typeof body.max_tokens === 'number') {
    if (openrouter) result.max_tokens = body.max_tokens;
    else result.max_completion_tokens = body.max_tokens;
  }
  if (typeof body.temperature === 'number') result.temperature = body.temperature;
  if (typeof body.top_p === 'number') result.top_p = body.top_p;
  if (typeof body.top_k === 'number') {
    if (openrouter) result.top_k = body.top_k;
    else warnings.push('top_k is not supported by OpenAI and was dropped');
  }
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length > 0) result.stop = [...body.stop_sequences];
  if (body.stream === true) {
    result.stream = true;
    // Always ask for the final usage chunk: without it the gateway cannot report usage or cost.
    result.stream_options = { include_usage: true };
  } else if (body.stream === false) {
    result.stream = false;
  }
  if (isRecord(body.metadata) && typeof body.metadata.user_id === 'string') result.user = body.metadata.user_id;

  translateTools(body, result, warnings);

  const thinking = body.thinking;
  const budget = isRecord(thinking) ? (thinking as Record<string, unknown>).budget_tokens : undefined;
  if (isRecord(thinking) && thinking.type === 'enabled' && typeof budget === 'number') {
    if (openrouter) result.reasoning = { max_tokens: budget };
    else result.reasoning_effort = budgetToEffort(budget);
  } else if (isRecord(thinking) && thinking.type === 'adaptive') {
    if (openrouter) result.reasoning = { enabled: true };
    else result.reasoning_effort = 'medium';
  }

  for (const key of Object.keys(body)) {
    if (HANDLED_FIELDS.has(key)) continue;
    const value = body[key];
    if (value === null || value === undefined) continue;
    warnings.push(`field "${key}" has no Chat Completions equivalent and was dropped`);
  }
  return { body: result, warnings };
}

/** Text blocks → a plain string, or text parts when a `cache_control` marker must travel (OpenRouter). */
function textContent(blocks: AnthropicTextBlock[], openrouter: boolean): string | OpenAITextPart[] {
  const withCache = openrouter && blocks.some((block) => block.cache_control != null);
  if (!withCache && blocks.length === 1) return blocks[0]!.text;
  return blocks.map((block) => ({
    type: 'text' as const,
    text: block.text,
    ...(withCache && block.cache_control ? { cache_control: block.cache_control } : {}),
  }));
}

function imagePart(block: AnthropicImageBlock, where: string, warnings: string[]): OpenAIContentPart | undefined {
  const source = block.source;
  if (isRecord(source) && source.type === 'base64') return { type: 'image_url', image_url: { url: toDataUrl(source.media_type, source.data) } };
  if (isRecord(source) && source.type === 'url') return { type: 'image_url', image_url: { url: source.url } };
  warnings.push(`${where}: image source "${isRecord(source) ? String(source.type) : 'missing'}" cannot be sent and was dropped`);
  return undefined;
}

function documentParts(block: AnthropicDocumentBlock, where: string, warnings: string[], openrouter: boolean): OpenAIContentPart[] {
  const source = block.source;
  const filename = typeof block.title === 'string' && block.title ? block.title : 'document.pdf';
  if (!isRecord(source)) return [];
  if (source.type === 'base64') return [{ type: 'file', file: { filename, file_data: toDataUrl(source.media_type, source.data) } }];
  if (source.type === 'text') {
    warnings.push(`${where}: text document sent as a plain text part (title and citations are lost)`);
    return [{ type: 'text', text: source.data }];
  }
  if (source.type === 'url' && openrouter) return [{ type: 'file', file: { filename, file_data: source.url } }];
  if (source.type === 'content') {
    if (typeof source.content === 'string') return [{ type: 'text', text: source.content }];
    return source.content.filter((inner): inner is AnthropicTextBlock => inner.type === 'text').map((inner) => ({ type: 'text' as const, text: inner.text }));
  }
  warnings.push(`${where}: document source "${String(source.type)}" cannot be sent and was dropped`);
  return [];
}

/**
 * A user turn → tool messages (one per tool_result, first, ids kept) followed by a user message with the rest.
 * Images inside tool results move to that user message: OpenAI tool messages carry text only.
 */
function userMessages(blocks: AnthropicContentBlock[], where: string, warnings: string[], openrouter: boolean): OpenAIMessage[] {
  const toolMessages: OpenAIMessage[] = [];
  const parts: OpenAIContentPart[] = [];
  let plainText = true;
  blocks.forEach((block, index) => {
    const blockWhere = `${where}.content[${index}]`;
    if (!isObject(block)) return;
    switch (block.type) {
      case 'text': {
        const text = block as AnthropicTextBlock;
        if (openrouter && text.cache_control) plainText = false;
        parts.push({ type: 'text', text: text.text, ...(openrouter && text.cache_control ? { cache_control: text.cache_control } : {}) });
        return;
      }
      case 'image': {
        plainText = false;
        const part = imagePart(block as AnthropicImageBlock, blockWhere, warnings);
        if (part) parts.push(part);
        return;
      }
      case 'document':
        plainText = false;
        parts.push(...documentParts(block as AnthropicDocumentBlock, blockWhere, warnings, openrouter));
        return;
      case 'tool_result': {
        const result = block as AnthropicToolResultBlock;
        if (result.is_error) warnings.push(`${blockWhere}: the tool result's is_error flag has no OpenAI equivalent`);
        const texts: OpenAITextPart[] = [];
        if (typeof result.content === 'string') texts.push({ type: 'text', text: result.content });
        else if (Array.isArray(result.content)) {
          result.content.forEach((inner, innerIndex) => {
            if (inner.type === 'text') texts.push({ type: 'text', text: (inner as AnthropicTextBlock).text });
            else if (inner.type === 'image') {
              warnings.push(`${blockWhere}.content[${innerIndex}]: image in a tool result moved to the following user message`);
              plainText = false;
              const part = imagePart(inner as AnthropicImageBlock, blockWhere, warnings);
              if (part) parts.push(part);
            } else warnings.push(`${blockWhere}.content[${innerIndex}]: ${inner.type} in a tool result was dropped`);
          });
        }
        toolMessages.push({
          role: 'tool',
          tool_call_id: result.tool_use_id,
          content: texts.length === 1 ? texts[0]!.text : texts.length === 0 ? '' : texts,
        });
        return;
      }
      default:
        warnings.push(`${blockWhere}: ${String(block.type)} blocks are not supported in user turns and were dropped`);
    }
  });
  if (parts.length === 0) return toolMessages;
  const content = plainText && parts.length === 1 && parts[0]!.type === 'text' ? (parts[0] as OpenAITextPart).text : parts;
  return [...toolMessages, { role: 'user', content }];
}

/** An assistant turn → one assistant message: text, tool_calls (ids kept) and reasoning with signatures. */
function assistantMessage(blocks: AnthropicContentBlock[], where: string, warnings: string[], openrouter: boolean): OpenAIMessage {
  const texts: string[] = [];
  const toolCalls: OpenAIToolCall[] = [];
  const details: OpenAIReasoningDetail[] = [];
  let reasoningText = '';
  blocks.forEach((block, index) => {
    if (!isObject(block)) return;
    switch (block.type) {
      case 'text':
        texts.push((block as AnthropicTextBlock).text);
        return;
      case 'tool_use': {
        const call = block as AnthropicToolUseBlock;
        toolCalls.push({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) } });
        return;
      }
      case 'thinking': {
        const thinking = block as { thinking: string; signature: string };
        reasoningText += thinking.thinking;
        details.push({ type: 'reasoning.text', text: thinking.thinking, signature: thinking.signature, format: ANTHROPIC_REASONING_FORMAT, index: details.length });
        return;
      }
      case 'redacted_thinking':
        details.push({ type: 'reasoning.encrypted', data: (block as { data: string }).data, format: ANTHROPIC_REASONING_FORMAT, index: details.length });
        return;
      default:
        warnings.push(`${where}.content[${index}]: ${String(block.type)} blocks are not supported in assistant turns and were dropped`);
    }
  });
  const message: OpenAIMessage = { role: 'assistant', content: texts.length > 0 ? texts.join('') : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (details.length > 0) {
    if (openrouter) {
      if (reasoningText) message.reasoning = reasoningText;
      message.reasoning_details = details;
    } else {
      warnings.push(`${where}: thinking blocks cannot be replayed to an OpenAI upstream and were dropped`);
    }
  }
  return message;
}

function translateTools(body: AnthropicMessagesRequest, result: OpenAIChatRequest, warnings: string[]): void {
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const tools: OpenAITool[] = [];
    body.tools.forEach((tool, index) => {
      if (!isRecord(tool)) return;
      if (tool.type !== undefined && tool.type !== 'custom') {
        warnings.push(`tools[${index}]: Anthropic server tool "${String(tool.type)}" has no Chat Completions equivalent; dropped`);
        return;
      }
      tools.push({
        type: 'function',
        function: {
          name: tool.name,
          ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
          parameters: isRecord(tool.input_schema) ? tool.input_schema : { type: 'object', properties: {} },
        },
      });
    });
    if (tools.length > 0) result.tools = tools;
  }
  const choice = body.tool_choice;
  if (!isRecord(choice)) return;
  if (choice.type === 'auto') result.tool_choice = 'auto';
  else if (choice.type === 'none') result.tool_choice = 'none';
  else if (choice.type === 'any') result.tool_choice = 'required';
  else if (choice.type === 'tool') result.tool_choice = { type: 'function', function: { name: choice.name } };
  else warnings.push(`tool_choice type "${String((choice as { type: unknown }).type)}" is not supported; using auto`);
  if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use === true) result.parallel_tool_calls = false;
}
