/**
 * OpenAI Chat Completions request → Anthropic Messages request.
 * Whatever Anthropic cannot express is dropped with a warning (for the decision diagnostics), never silently.
 * @see https://docs.anthropic.com/en/api/openai-sdk (Anthropic's own notes on the differences)
 */
import type {
  AnthropicContentBlock,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
} from '../anthropic/messages-types.js';
import type { OpenAIChatRequest, OpenAIContentPart, OpenAIMessage, OpenAIReasoningDetail } from '../openai/chat-types.js';
import { ANTHROPIC_IMAGE_TYPES, isHttpUrl, parseDataUrl } from './content-parts.js';
import { addCacheBreakpoints, hasCacheControl } from './prompt-caching.js';
import { ANTHROPIC_REASONING_FORMAT, isRecord, parseJsonSafe } from './values.js';

/** Options for {@link openaiChatToAnthropic}. */
export interface OpenaiToAnthropicOptions {
  /** The concrete upstream model id. */
  model: string;
  /** `max_tokens` when the client sent none (Anthropic requires it). */
  maxTokensDefault: number;
  /** Add automatic cache breakpoints when the request carries none. */
  promptCaching: boolean;
}

/** A translated request and what could not be carried over. */
export interface TranslatedRequest<Body> {
  body: Body;
  warnings: string[];
}

/** Thinking budgets for OpenAI-style effort levels (Anthropic's minimum budget is 1024). */
export const EFFORT_TO_BUDGET: Readonly<Record<string, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 24576,
  xhigh: 32768,
};

const HANDLED_FIELDS = new Set([
  'model', 'messages', 'max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'top_k', 'stop', 'stream',
  'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls', 'user', 'reasoning_effort', 'reasoning', 'n',
]);

/** Translates an OpenAI Chat Completions body into an Anthropic Messages body. Never throws on odd input. */
export function openaiChatToAnthropic(
  body: OpenAIChatRequest,
  options: OpenaiToAnthropicOptions,
): TranslatedRequest<AnthropicMessagesRequest> {
  const warnings: string[] = [];
  const system: AnthropicTextBlock[] = [];
  const messages: AnthropicMessageParam[] = [];
  const input: readonly OpenAIMessage[] = Array.isArray(body.messages) ? body.messages : [];

  const append = (role: 'user' | 'assistant', blocks: AnthropicContentBlock[]): void => {
    if (blocks.length === 0) return;
    const last = messages[messages.length - 1];
    // Anthropic merges consecutive same-role turns anyway; merging here keeps tool results first in their turn.
    if (last && last.role === role && Array.isArray(last.content)) last.content.push(...blocks);
    else messages.push({ role, content: blocks });
  };

  input.forEach((message, position) => {
    if (!isRecord(message)) {
      warnings.push(`messages[${position}] is not an object and was dropped`);
      return;
    }
    switch (message.role) {
      case 'system':
      case 'developer': {
        if (messages.length > 0) {
          warnings.push(`messages[${position}]: a ${message.role} message after the conversation started was moved into the system prompt`);
        }
        system.push(...userBlocks(message.content, `messages[${position}]`, warnings, true) as AnthropicTextBlock[]);
        return;
      }
      case 'user': {
        const blocks = userBlocks(message.content, `messages[${position}]`, warnings, false);
        if (blocks.length === 0) warnings.push(`messages[${position}]: empty user message dropped`);
        append('user', blocks);
        return;
      }
      case 'assistant': {
        const blocks = assistantBlocks(message, `messages[${position}]`, warnings);
        if (blocks.length === 0) warnings.push(`messages[${position}]: empty assistant message dropped`);
        append('assistant', blocks);
        return;
      }
      case 'tool': {
        const content = toolResultContent(message.content, `messages[${position}]`, warnings);
        append('user', [{ type: 'tool_result', tool_use_id: String(message.tool_call_id ?? ''), content }]);
        return;
      }
      default:
        warnings.push(`messages[${position}]: role "${String(message.role)}" is not supported and was dropped`);
    }
  });

  const result: AnthropicMessagesRequest = { model: options.model, messages, max_tokens: options.maxTokensDefault };
  if (system.length > 0) result.system = system;

  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (typeof maxTokens === 'number' && maxTokens > 0) result.max_tokens = maxTokens;
  if (typeof body.temperature === 'number') {
    // OpenAI's range is 0..2, Anthropic's 0..1.
    if (body.temperature > 1) warnings.push(`temperature ${body.temperature} clamped to Anthropic's maximum of 1`);
    result.temperature = Math.min(1, body.temperature);
  }
  if (typeof body.top_p === 'number') result.top_p = body.top_p;
  if (typeof body.top_k === 'number') result.top_k = body.top_k;
  if (typeof body.stop === 'string') result.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop) && body.stop.length > 0) result.stop_sequences = body.stop.filter((stop) => typeof stop === 'string');
  if (typeof body.stream === 'boolean') result.stream = body.stream;
  if (typeof body.user === 'string' && body.user.length > 0) result.metadata = { user_id: body.user };
  if (typeof body.n === 'number' && body.n > 1) warnings.push(`n=${body.n} is not supported by Anthropic; one choice is returned`);

  translateTools(body, result, warnings);
  translateThinking(body, result, warnings);

  for (const key of Object.keys(body)) {
    if (HANDLED_FIELDS.has(key)) continue;
    const value = body[key];
    if (value === null || value === undefined || value === false || value === 0) continue;
    if (key === 'response_format' && isRecord(value) && value.type === 'text') continue;
    warnings.push(`field "${key}" has no Anthropic equivalent and was dropped`);
  }

  if (options.promptCaching && !hasCacheControl(result)) addCacheBreakpoints(result);
  return { body: result, warnings };
}

/** Converts user (or system, `textOnly`) content into Anthropic blocks. */
function userBlocks(content: OpenAIMessage['content'], where: string, warnings: string[], textOnly: boolean): AnthropicContentBlock[] {
  if (typeof content === 'string') return content.length > 0 ? [{ type: 'text', text: content }] : [];
  if (!Array.isArray(content)) return [];
  const blocks: AnthropicContentBlock[] = [];
  content.forEach((part, index) => {
    const block = partToBlock(part, `${where}.content[${index}]`, warnings);
    if (!block) return;
    if (textOnly && block.type !== 'text') {
      warnings.push(`${where}.content[${index}]: ${block.type} parts are not allowed in the system prompt and were dropped`);
      return;
    }
    blocks.push(block);
  });
  return blocks;
}

function partToBlock(part: OpenAIContentPart, where: string, warnings: string[]): AnthropicContentBlock | undefined {
  if (!isRecord(part)) return undefined;
  if (part.type === 'text' && typeof part.text === 'string') {
    if (part.text.length === 0) return undefined; // Anthropic rejects empty text blocks.
    const block: AnthropicTextBlock = { type: 'text', text: part.text };
    if (isRecord(part.cache_control)) block.cache_control = { type: 'ephemeral', ...(part.cache_control.ttl ? { ttl: part.cache_control.ttl as '5m' | '1h' } : {}) };
    return block;
  }
  if (part.type === 'image_url' && isRecord(part.image_url) && typeof part.image_url.url === 'string') {
    const url = part.image_url.url;
    if (part.image_url.detail && part.image_url.detail !== 'auto') warnings.push(`${where}: image detail "${part.image_url.detail}" ignored`);
    const dataUrl = parseDataUrl(url);
    if (dataUrl) {
      if (!ANTHROPIC_IMAGE_TYPES.has(dataUrl.mediaType)) warnings.push(`${where}: image type ${dataUrl.mediaType} may be rejected by Anthropic`);
      return { type: 'image', source: { type: 'base64', media_type: dataUrl.mediaType, data: dataUrl.data } };
    }
    if (isHttpUrl(url)) return { type: 'image', source: { type: 'url', url } };
    warnings.push(`${where}: image URL is neither base64 data nor http(s) and was dropped`);
    return undefined;
  }
  if (part.type === 'file' && isRecord(part.file)) {
    const fileData = typeof part.file.file_data === 'string' ? part.file.file_data : undefined;
    const title = typeof part.file.filename === 'string' ? part.file.filename : undefined;
    const dataUrl = fileData ? parseDataUrl(fileData) : undefined;
    if (dataUrl && dataUrl.mediaType === 'application/pdf') {
      return { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: dataUrl.data }, ...(title ? { title } : {}) };
    }
    if (dataUrl && dataUrl.mediaType.startsWith('text/')) {
      return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: decodeBase64Text(dataUrl.data) }, ...(title ? { title } : {}) };
    }
    if (fileData && isHttpUrl(fileData)) return { type: 'document', source: { type: 'url', url: fileData }, ...(title ? { title } : {}) };
    warnings.push(`${where}: file part (${dataUrl ? dataUrl.mediaType : part.file.file_id ? 'file_id' : 'no data'}) cannot be sent to Anthropic and was dropped`);
    return undefined;
  }
  warnings.push(`${where}: content part type "${String(part.type)}" is not supported by Anthropic and was dropped`);
  return undefined;
}

function decodeBase64Text(data: string): string {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return new TextDecoder().decode(bytes);
}

/** Assistant turn: thinking blocks (from reasoning_details), text, then tool_use blocks with ids kept. */
function assistantBlocks(message: OpenAIMessage, where: string, warnings: string[]): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  if (Array.isArray(message.reasoning_details) && message.reasoning_details.length > 0) {
    blocks.push(...thinkingFromDetails(message.reasoning_details, where, warnings));
  } else if (typeof (message.reasoning_content ?? message.reasoning) === 'string' && (message.reasoning_content ?? message.reasoning)) {
    // Anthropic rejects thinking blocks without their signature; plain reasoning text cannot be replayed.
    warnings.push(`${where}: reasoning text without a signature cannot be replayed to Anthropic and was dropped`);
  }
  if (typeof message.content === 'string') {
    if (message.content.length > 0) blocks.push({ type: 'text', text: message.content });
  } else if (Array.isArray(message.content)) {
    message.content.forEach((part, index) => {
      if (isRecord(part) && part.type === 'refusal' && typeof part.refusal === 'string') {
        blocks.push({ type: 'text', text: part.refusal });
        return;
      }
      const block = partToBlock(part, `${where}.content[${index}]`, warnings);
      if (block && block.type === 'text') blocks.push(block);
      else if (block) warnings.push(`${where}.content[${index}]: ${block.type} parts are not allowed in assistant turns and were dropped`);
    });
  }
  if (typeof message.refusal === 'string' && message.refusal.length > 0 && blocks.every((block) => block.type !== 'text')) {
    blocks.push({ type: 'text', text: message.refusal });
  }
  if (Array.isArray(message.tool_calls)) {
    message.tool_calls.forEach((call, index) => {
      if (!isRecord(call) || !isRecord(call.function)) return;
      const argumentsText = typeof call.function.arguments === 'string' ? call.function.arguments : '';
      let input: unknown = argumentsText.trim() === '' ? {} : parseJsonSafe(argumentsText);
      if (!isRecord(input)) {
        warnings.push(`${where}.tool_calls[${index}]: arguments are not a JSON object; sent as {}`);
        input = {};
      }
      blocks.push({ type: 'tool_use', id: String(call.id ?? `call_${index}`), name: String(call.function.name ?? ''), input });
    });
  }
  return blocks;
}

/** Rebuilds Anthropic thinking blocks from OpenRouter-style reasoning_details, grouped by `index`. */
function thinkingFromDetails(details: OpenAIReasoningDetail[], where: string, warnings: string[]): AnthropicContentBlock[] {
  const blocks: AnthropicContentBlock[] = [];
  let current: { key: number | null; text: string; signature: string } | undefined;
  let unsigned = false;
  const flush = (): void => {
    if (!current) return;
    if (current.signature) blocks.push({ type: 'thinking', thinking: current.text, signature: current.signature });
    else unsigned = true;
    current = undefined;
  };
  for (const detail of details) {
    if (!isRecord(detail)) continue;
    if (detail.type === 'reasoning.encrypted' && typeof detail.data === 'string') {
      flush();
      if (detail.format && detail.format !== ANTHROPIC_REASONING_FORMAT) unsigned = true;
      else blocks.push({ type: 'redacted_thinking', data: detail.data });
      continue;
    }
    if (detail.type !== 'reasoning.text') continue;
    const key = typeof detail.index === 'number' ? detail.index : null;
    if (current && current.key !== key) flush();
    current ??= { key, text: '', signature: '' };
    if (typeof detail.text === 'string') current.text += detail.text;
    if (typeof detail.signature === 'string' && detail.signature) current.signature = detail.signature;
  }
  flush();
  if (unsigned) warnings.push(`${where}: reasoning without an Anthropic signature cannot be replayed and was dropped`);
  return blocks;
}

/** Tool message content → tool_result content (a string, or text blocks). */
function toolResultContent(content: OpenAIMessage['content'], where: string, warnings: string[]): string | AnthropicContentBlock[] {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const blocks = userBlocks(content, where, warnings, false);
  return blocks;
}

function translateTools(body: OpenAIChatRequest, result: AnthropicMessagesRequest, warnings: string[]): void {
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const tools: AnthropicTool[] = [];
    body.tools.forEach((tool, index) => {
      if (!isRecord(tool) || tool.type !== 'function' || !isRecord(tool.function)) {
        warnings.push(`tools[${index}]: only function tools can be sent to Anthropic; dropped`);
        return;
      }
      const parameters = isRecord(tool.function.parameters) ? tool.function.parameters : { type: 'object', properties: {} };
      if (tool.function.strict) warnings.push(`tools[${index}]: strict schema mode is not carried over`);
      tools.push({
        name: tool.function.name,
        ...(typeof tool.function.description === 'string' ? { description: tool.function.description } : {}),
        input_schema: parameters,
      });
    });
    if (tools.length > 0) result.tools = tools;
  }
  let choice: AnthropicToolChoice | undefined;
  const toolChoice = body.tool_choice;
  if (toolChoice === 'auto') choice = { type: 'auto' };
  else if (toolChoice === 'none') choice = { type: 'none' };
  else if (toolChoice === 'required') choice = { type: 'any' };
  else if (isRecord(toolChoice) && toolChoice.type === 'function' && isRecord(toolChoice.function)) {
    choice = { type: 'tool', name: String(toolChoice.function.name) };
  } else if (toolChoice !== undefined && toolChoice !== null) {
    warnings.push(`tool_choice ${JSON.stringify(toolChoice)} is not supported; using auto`);
  }
  if (body.parallel_tool_calls === false && result.tools) {
    choice ??= { type: 'auto' };
    if (choice.type !== 'none') choice.disable_parallel_tool_use = true;
  }
  if (choice && (result.tools || choice.type === 'none')) result.tool_choice = choice;
}

/** OpenAI `reasoning_effort` / OpenRouter `reasoning` → Anthropic `thinking`, fixing up what thinking forbids. */
function translateThinking(body: OpenAIChatRequest, result: AnthropicMessagesRequest, warnings: string[]): void {
  let budget: number | undefined;
  const reasoning = isRecord(body.reasoning) ? body.reasoning : undefined;
  if (reasoning) {
    if (reasoning.exclude) warnings.push('reasoning.exclude is not supported; thinking is returned');
    if (reasoning.enabled === false || reasoning.effort === 'none') budget = undefined;
    else if (typeof reasoning.max_tokens === 'number') budget = reasoning.max_tokens;
    else if (typeof reasoning.effort === 'string') budget = EFFORT_TO_BUDGET[reasoning.effort] ?? EFFORT_TO_BUDGET.medium;
    else if (reasoning.enabled === true) budget = EFFORT_TO_BUDGET.medium;
  } else if (typeof body.reasoning_effort === 'string' && body.reasoning_effort !== 'none') {
    budget = EFFORT_TO_BUDGET[body.reasoning_effort];
    if (budget === undefined) {
      warnings.push(`reasoning_effort "${body.reasoning_effort}" is unknown; using medium`);
      budget = EFFORT_TO_BUDGET.medium;
    }
  }
  if (budget === undefined) return;
  if (budget < 1024) {
    warnings.push(`thinking budget ${budget} raised to Anthropic's minimum of 1024`);
    budget = 1024;
  }
  const maxTokens = result.max_tokens ?? 0;
  if (maxTokens <= budget) {
    // OpenAI counts reasoning inside max_completion_tokens; Anthropic needs max_tokens > budget_tokens.
    warnings.push(`max_tokens ${maxTokens} raised to ${budget + maxTokens} to leave room for a thinking budget of ${budget}`);
    result.max_tokens = budget + maxTokens;
  }
  result.thinking = { type: 'enabled', budget_tokens: budget };
  if (result.temperature !== undefined && result.temperature !== 1) {
    warnings.push('temperature is not allowed with thinking and was dropped');
    delete result.temperature;
  }
  if (result.top_p !== undefined && result.top_p < 0.95) {
    warnings.push('top_p below 0.95 is not allowed with thinking and was dropped');
    delete result.top_p;
  }
  if (result.top_k !== undefined) {
    warnings.push('top_k is not allowed with thinking and was dropped');
    delete result.top_k;
  }
  if (result.tool_choice && (result.tool_choice.type === 'any' || result.tool_choice.type === 'tool')) {
    warnings.push(`tool_choice "${result.tool_choice.type}" is not allowed with thinking; using auto`);
    result.tool_choice = { type: 'auto', ...(result.tool_choice.disable_parallel_tool_use ? { disable_parallel_tool_use: true } : {}) };
  }
}
