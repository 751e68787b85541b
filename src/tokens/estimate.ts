/**
 * Input token estimation without a tokenizer: one pass over the characters, classifying runs (letters, digits,
 * punctuation, whitespace, CJK, other scripts) and charging each run what a BPE tokenizer typically charges.
 * Used for `POST /v1/messages/count_tokens` and the router's context-window check, where being fast and a
 * little pessimistic matters more than being exact. It counts in Claude tokens whatever the body's protocol,
 * because the gateway's default upstreams are Claude models.
 *
 * What is counted: system prompt, every message's text, tool schemas (plus Anthropic's fixed tool-use system
 * prompt), tool-call inputs, tool results, thinking text, images and documents (by size), and per-message framing.
 *
 * Error against known counts (see estimate.test.ts, which pins these):
 * - Anthropic's token-counting guide: system "You are a scientist" + user "Hello, Claude" counts 14 tokens;
 *   this estimator says 14 (the request/message framing constants were fitted to this example, so it is a
 *   calibration point, not independent evidence).
 * - The same guide's get_weather tool example counts 403 tokens, 346 of which are the tool-use system prompt
 *   Anthropic documents for Claude 4.x models with tool_choice auto; this estimator says 418 (+3.7%): JSON
 *   schemas are charged a little more than Anthropic's own rendering of them costs.
 * - Plain English prose: within ±15% of OpenAI's rule of thumb (1 token ≈ 4 characters ≈ 0.75 words), and
 *   Claude's tokenizer spends slightly more tokens than OpenAI's on the same text.
 * - Code and JSON: roughly 3 characters per token, ±25%; CJK text: 1 token per character (slightly high).
 * - Images: Anthropic's documented formula, width × height / 750, capped at 1600 (images are resized to about
 *   1.15 megapixels); PNG dimensions are read from the header, other formats are charged the cap.
 * - PDFs: a rough 1 token per 8 bytes with a floor of 1500 (Anthropic charges text plus a page image per page).
 * @see https://docs.anthropic.com/en/docs/build-with-claude/token-counting
 * @see https://docs.anthropic.com/en/docs/agents-and-tools/tool-use/overview (tool use system prompt sizes)
 * @see https://docs.anthropic.com/en/docs/build-with-claude/vision (image token formula)
 */
import type { ClientProtocol } from '../usage/types.js';

/** Fixed framing per request (turn markers around the conversation). */
const REQUEST_OVERHEAD = 1;
/** A short word is one token in both tokenizers; Claude's splits a little more often than OpenAI's cl100k. */
const WORD_TOKENS = 1.1;
/** Framing per message (role marker and separators). */
const MESSAGE_OVERHEAD = 4;
/** Anthropic's tool-use system prompt for Claude 4.x models: tool_choice auto/none, and any/tool. */
const TOOL_PROMPT_AUTO = 346;
const TOOL_PROMPT_FORCED = 313;
/** Per tool definition framing. */
const TOOL_OVERHEAD = 2;
const IMAGE_MAX_TOKENS = 1600;
const PDF_MIN_TOKENS = 1500;

/** Estimates the tokens of a piece of text. */
export function estimateTextTokens(text: string): number {
  let tokens = 0;
  let runKind = 0; // 0 none, 1 letters, 2 digits, 3 punctuation, 4 whitespace
  let runLength = 0;
  let runHasNewline = false;
  const closeRun = (): void => {
    if (runLength === 0) return;
    if (runKind === 1) tokens += runLength <= 9 ? WORD_TOKENS : WORD_TOKENS + Math.ceil((runLength - 9) / 4);
    else if (runKind === 2) tokens += Math.ceil(runLength / 3);
    else if (runKind === 3) tokens += Math.ceil(runLength / 3);
    // One space merges into the next word; newlines and indentation cost about one token per run.
    else if (runKind === 4 && (runHasNewline || runLength > 1)) tokens += 1 + Math.floor(runLength / 16);
    runLength = 0;
    runHasNewline = false;
  };
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    let kind: number;
    if ((code >= 97 && code <= 122) || (code >= 65 && code <= 90)) kind = 1;
    else if (code >= 48 && code <= 57) kind = 2;
    else if (code === 32 || code === 9 || code === 10 || code === 13) kind = 4;
    else if (code < 128) kind = 3;
    else {
      closeRun();
      runKind = 0;
      if ((code >= 0x3040 && code <= 0x9fff) || (code >= 0xac00 && code <= 0xd7af) || (code >= 0xf900 && code <= 0xfaff)) tokens += 1;
      else if (code >= 0xd800 && code <= 0xdbff) tokens += 1; // high surrogate: emoji and rare scripts, ~2 tokens per pair
      else if (code >= 0xdc00 && code <= 0xdfff) tokens += 1;
      else tokens += 0.5; // accented Latin, Cyrillic, Greek, …: about two characters per token
      continue;
    }
    if (kind !== runKind) {
      closeRun();
      runKind = kind;
    }
    runLength++;
    if (code === 10) runHasNewline = true;
  }
  closeRun();
  return Math.ceil(tokens);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Anthropic's image formula, using PNG header dimensions when the data is a PNG. */
function imageTokens(base64: string | undefined): number {
  if (base64 && base64.startsWith('iVBORw0KGgo') && base64.length >= 32) {
    const header = atob(base64.slice(0, 32));
    const width = (header.charCodeAt(16) << 24) | (header.charCodeAt(17) << 16) | (header.charCodeAt(18) << 8) | header.charCodeAt(19);
    const height = (header.charCodeAt(20) << 24) | (header.charCodeAt(21) << 16) | (header.charCodeAt(22) << 8) | header.charCodeAt(23);
    if (width > 0 && height > 0) return Math.max(1, Math.min(IMAGE_MAX_TOKENS, Math.ceil((width * height) / 750)));
  }
  return IMAGE_MAX_TOKENS;
}

function pdfTokens(base64Length: number): number {
  return Math.max(PDF_MIN_TOKENS, Math.ceil((base64Length * 0.75) / 8));
}

function jsonTokens(value: unknown): number {
  if (value === undefined) return 0;
  return estimateTextTokens(typeof value === 'string' ? value : JSON.stringify(value));
}

/** Tokens for one Anthropic content block (or an array / string content). */
function anthropicContentTokens(content: unknown): number {
  if (typeof content === 'string') return estimateTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let tokens = 0;
  for (const block of content) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'text':
        tokens += estimateTextTokens(String(block.text ?? ''));
        break;
      case 'thinking':
        tokens += estimateTextTokens(String(block.thinking ?? ''));
        break;
      case 'tool_use':
      case 'server_tool_use':
        tokens += estimateTextTokens(String(block.name ?? '')) + jsonTokens(block.input) + 3;
        break;
      case 'tool_result':
        tokens += anthropicContentTokens(block.content) + 3;
        break;
      case 'image': {
        const source = isRecord(block.source) ? block.source : {};
        tokens += imageTokens(source.type === 'base64' ? String(source.data ?? '') : undefined);
        break;
      }
      case 'document': {
        const source = isRecord(block.source) ? block.source : {};
        if (source.type === 'text') tokens += estimateTextTokens(String(source.data ?? ''));
        else if (source.type === 'content') tokens += anthropicContentTokens(source.content);
        else if (source.type === 'base64') tokens += pdfTokens(String(source.data ?? '').length);
        else tokens += PDF_MIN_TOKENS;
        break;
      }
      default:
        // redacted_thinking and unknown blocks: charge their JSON, a safe over-estimate.
        tokens += jsonTokens(block);
    }
  }
  return tokens;
}

function anthropicTokens(body: Record<string, unknown>): number {
  let tokens = REQUEST_OVERHEAD;
  if (body.system !== undefined) tokens += anthropicContentTokens(body.system);
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!isRecord(message)) continue;
      tokens += MESSAGE_OVERHEAD + anthropicContentTokens(message.content);
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const choice = isRecord(body.tool_choice) ? body.tool_choice.type : undefined;
    tokens += choice === 'any' || choice === 'tool' ? TOOL_PROMPT_FORCED : TOOL_PROMPT_AUTO;
    for (const tool of body.tools) {
      if (!isRecord(tool)) continue;
      tokens += TOOL_OVERHEAD + estimateTextTokens(String(tool.name ?? '')) + estimateTextTokens(String(tool.description ?? '')) + jsonTokens(tool.input_schema);
    }
  }
  return tokens;
}

function openaiContentTokens(content: unknown): number {
  if (typeof content === 'string') return estimateTextTokens(content);
  if (!Array.isArray(content)) return 0;
  let tokens = 0;
  for (const part of content) {
    if (!isRecord(part)) continue;
    if (part.type === 'text' || part.type === 'input_text' || part.type === 'output_text') tokens += estimateTextTokens(String(part.text ?? ''));
    else if (part.type === 'refusal') tokens += estimateTextTokens(String(part.refusal ?? ''));
    else if (part.type === 'image_url' || part.type === 'input_image') {
      const url = isRecord(part.image_url) ? String(part.image_url.url ?? '') : String(part.image_url ?? '');
      const comma = url.startsWith('data:') ? url.indexOf(',') : -1;
      tokens += imageTokens(comma >= 0 ? url.slice(comma + 1) : undefined);
    } else if (part.type === 'file' || part.type === 'input_file') {
      const file = isRecord(part.file) ? part.file : part;
      tokens += pdfTokens(String(file.file_data ?? '').length);
    } else tokens += jsonTokens(part);
  }
  return tokens;
}

function openaiChatTokens(body: Record<string, unknown>): number {
  let tokens = REQUEST_OVERHEAD;
  if (Array.isArray(body.messages)) {
    for (const message of body.messages) {
      if (!isRecord(message)) continue;
      tokens += MESSAGE_OVERHEAD + openaiContentTokens(message.content);
      if (Array.isArray(message.tool_calls)) {
        for (const call of message.tool_calls) {
          const fn = isRecord(call) && isRecord(call.function) ? call.function : {};
          tokens += 3 + estimateTextTokens(String(fn.name ?? '')) + estimateTextTokens(String(fn.arguments ?? ''));
        }
      }
      // Reasoning replayed as thinking blocks (reasoning_details) or as plain text.
      if (Array.isArray(message.reasoning_details)) {
        for (const detail of message.reasoning_details) if (isRecord(detail)) tokens += estimateTextTokens(String(detail.text ?? detail.summary ?? ''));
      } else if (typeof (message.reasoning_content ?? message.reasoning) === 'string') {
        tokens += estimateTextTokens(String(message.reasoning_content ?? message.reasoning));
      }
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    const choice = body.tool_choice;
    tokens += choice === 'required' || isRecord(choice) ? TOOL_PROMPT_FORCED : TOOL_PROMPT_AUTO;
    for (const tool of body.tools) {
      const fn = isRecord(tool) && isRecord(tool.function) ? tool.function : isRecord(tool) ? tool : {};
      tokens += TOOL_OVERHEAD + estimateTextTokens(String(fn.name ?? '')) + estimateTextTokens(String(fn.description ?? '')) + jsonTokens(fn.parameters);
    }
  }
  return tokens;
}

/** Responses API bodies: `instructions`, `input` (string or items) and `tools`, walked generically. */
function openaiResponsesTokens(body: Record<string, unknown>): number {
  let tokens = REQUEST_OVERHEAD;
  if (typeof body.instructions === 'string') tokens += estimateTextTokens(body.instructions);
  if (typeof body.input === 'string') tokens += MESSAGE_OVERHEAD + estimateTextTokens(body.input);
  else if (Array.isArray(body.input)) {
    for (const item of body.input) {
      if (!isRecord(item)) continue;
      tokens += MESSAGE_OVERHEAD;
      if (item.content !== undefined) tokens += openaiContentTokens(item.content);
      if (typeof item.arguments === 'string') tokens += estimateTextTokens(item.arguments);
      if (item.output !== undefined) tokens += jsonTokens(item.output);
      if (typeof item.name === 'string') tokens += estimateTextTokens(item.name);
    }
  }
  if (Array.isArray(body.tools) && body.tools.length > 0) {
    tokens += TOOL_PROMPT_AUTO;
    for (const tool of body.tools) tokens += TOOL_OVERHEAD + jsonTokens(tool);
  }
  return tokens;
}

/**
 * Estimates a request body's input tokens (in Claude tokens). Never throws; an unreadable body counts as the
 * length of its JSON text.
 */
export function estimateInputTokens(protocol: ClientProtocol, body: unknown): number {
  if (!isRecord(body)) return jsonTokens(body);
  switch (protocol) {
    case 'anthropic-messages':
      return anthropicTokens(body);
    case 'openai-chat':
      return openaiChatTokens(body);
    case 'openai-responses':
      return openaiResponsesTokens(body);
    default:
      return jsonTokens(body);
  }
}
