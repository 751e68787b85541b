/**
 * OpenAI Chat Completions wire types: only the fields the gateway reads or writes, lenient (`?`/`null` allowed
 * wherever a compatible server may omit or null a field), plus the de facto reasoning extensions used by
 * OpenRouter (`reasoning`, `reasoning_details`), DeepSeek and vLLM (`reasoning_content`).
 * @see https://platform.openai.com/docs/api-reference/chat
 */

export interface OpenAITextPart {
  type: 'text';
  text: string;
  /** OpenRouter extension: passed on to Anthropic models. */
  cache_control?: { type: 'ephemeral'; ttl?: string } | null;
}
export interface OpenAIImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' | null };
}
export interface OpenAIFilePart {
  type: 'file';
  file: { file_data?: string | null; file_id?: string | null; filename?: string | null };
}
export interface OpenAIOtherPart {
  type: 'input_audio' | 'refusal' | (string & {});
  [key: string]: unknown;
}
export type OpenAIContentPart = OpenAITextPart | OpenAIImagePart | OpenAIFilePart | OpenAIOtherPart;

export interface OpenAIToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/**
 * One entry of OpenRouter's `reasoning_details`. `reasoning.text` carries thinking text and, on the last entry
 * of a block, Anthropic's `signature`; `reasoning.encrypted` carries a redacted block's `data`.
 */
export interface OpenAIReasoningDetail {
  type: 'reasoning.text' | 'reasoning.encrypted' | 'reasoning.summary' | (string & {});
  text?: string | null;
  signature?: string | null;
  data?: string | null;
  summary?: string | null;
  format?: string | null;
  index?: number | null;
  id?: string | null;
}

export interface OpenAIMessage {
  role: 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function' | (string & {});
  content?: string | OpenAIContentPart[] | null;
  name?: string;
  tool_calls?: OpenAIToolCall[] | null;
  tool_call_id?: string;
  refusal?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  reasoning_details?: OpenAIReasoningDetail[] | null;
}

export interface OpenAITool {
  type: 'function' | (string & {});
  function: { name: string; description?: string; parameters?: Record<string, unknown>; strict?: boolean | null };
}

export type OpenAIToolChoice =
  | 'auto'
  | 'none'
  | 'required'
  | { type: 'function'; function: { name: string } }
  | { type: string; [key: string]: unknown };

/** A Chat Completions request body. Unknown fields are allowed (and reported when dropped in translation). */
export interface OpenAIChatRequest {
  model?: string;
  messages: OpenAIMessage[];
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  temperature?: number | null;
  top_p?: number | null;
  /** OpenRouter/vLLM extension. */
  top_k?: number | null;
  stop?: string | string[] | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean | null } | null;
  tools?: OpenAITool[] | null;
  tool_choice?: OpenAIToolChoice | null;
  parallel_tool_calls?: boolean | null;
  user?: string | null;
  reasoning_effort?: 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | (string & {}) | null;
  /** OpenRouter's unified reasoning parameter. */
  reasoning?: { effort?: string | null; max_tokens?: number | null; enabled?: boolean | null; exclude?: boolean | null } | null;
  [key: string]: unknown;
}

export interface OpenAIUsage {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  total_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null; [key: string]: unknown } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null; [key: string]: unknown } | null;
  /** DeepSeek's cache counters. */
  prompt_cache_hit_tokens?: number | null;
  prompt_cache_miss_tokens?: number | null;
  /** OpenRouter: what the request cost, in USD (credits). */
  cost?: number | null;
  [key: string]: unknown;
}

export type OpenAIFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/** A non-streaming `chat.completion` response. */
export interface OpenAIChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: number;
    message: OpenAIMessage & { role: 'assistant'; content: string | null };
    finish_reason: OpenAIFinishReason | null;
    logprobs?: null;
  }>;
  usage?: OpenAIUsage | null;
  [key: string]: unknown;
}

/** OpenAI's error body. */
export interface OpenAIErrorBody {
  error: { message: string; type: string; code: string | null; param: string | null };
}
