/**
 * OpenAI Chat Completions wire format (and the OpenRouter flavour of it), rendered from the scenario tables.
 * @see OpenAI API reference, "The chat completion object" and "The chat completion chunk object": chunks carry
 *   `"usage": null` when `stream_options.include_usage` is true, and one last chunk with `choices: []` and the usage comes
 *   before `data: [DONE]`.
 * @see OpenRouter "Usage Accounting": usage (with `cost`, `cost_details`, `prompt_tokens_details.cache_write_tokens`) is
 *   always in the last SSE message, `include_usage` is not needed; streams may carry `: OPENROUTER PROCESSING` comments.
 */
import { SCENARIOS, openrouterCost, textChunks } from './scenarios.js';
import type { MockUsage, ResolvedScript } from './types.js';

/** A fixed creation time keeps bodies byte-stable across runs. */
export const MOCK_CREATED = 1_700_000_000;

/** Everything a response builder needs to know about the request. */
export interface OpenAIResponseContext {
  flavour: 'openai' | 'openrouter';
  model: string;
  requestId: string;
  script: ResolvedScript;
  /** `stream_options.include_usage` as the client sent it. */
  includeUsage: boolean;
}

/** The `usage` object for the flavour (see `MockUsage` for the mapping). */
export function openaiUsage(flavour: 'openai' | 'openrouter', usage: MockUsage): Record<string, unknown> {
  const promptTokens = usage.input + usage.cacheRead + usage.cacheWrite;
  const base: Record<string, unknown> = {
    prompt_tokens: promptTokens,
    completion_tokens: usage.output,
    total_tokens: promptTokens + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: usage.reasoning, audio_tokens: 0 },
  };
  if (flavour === 'openrouter') {
    base.prompt_tokens_details = { cached_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite, audio_tokens: 0 };
    base.cost = usage.cost ?? openrouterCost(usage);
    base.is_byok = false;
    base.cost_details = { upstream_inference_cost: null };
  }
  return base;
}

function responseId(context: OpenAIResponseContext): string {
  return context.flavour === 'openrouter' ? `gen-${context.requestId}` : `chatcmpl-${context.requestId}`;
}

/** OpenAI-compatible servers name the reasoning field differently: DeepSeek-style `reasoning_content`, OpenRouter `reasoning`. */
function reasoningField(flavour: 'openai' | 'openrouter'): string {
  return flavour === 'openrouter' ? 'reasoning' : 'reasoning_content';
}

function finishReason(script: ResolvedScript): 'tool_calls' | 'stop' {
  return SCENARIOS[script.scenario].toolCalls.length > 0 ? 'tool_calls' : 'stop';
}

/** The non-streaming `chat.completion` object. */
export function openaiJsonBody(context: OpenAIResponseContext): Record<string, unknown> {
  const content = SCENARIOS[context.script.scenario];
  const text = content.hasText ? textChunks(context.script.chunks).join('') : (content.toolPreamble ?? null);
  const message: Record<string, unknown> = { role: 'assistant', content: text, refusal: null };
  if (content.thinkingFragments) message[reasoningField(context.flavour)] = content.thinkingFragments.join('');
  if (content.toolCalls.length > 0) {
    message.tool_calls = content.toolCalls.map((call) => ({
      id: `call_mock_${call.idSuffix}`,
      type: 'function',
      function: { name: call.name, arguments: call.argumentFragments.join('') },
    }));
  }
  const body: Record<string, unknown> = {
    id: responseId(context),
    object: 'chat.completion',
    created: MOCK_CREATED,
    model: context.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason(context.script) }],
    usage: openaiUsage(context.flavour, context.script.usage),
    system_fingerprint: null,
  };
  if (context.flavour === 'openrouter') body.provider = 'Mock';
  if (context.script.fault === 'no-usage') delete body.usage;
  return body;
}

/** The SSE frames of a streamed answer, each a complete event ending in a blank line, `data: [DONE]` last. */
export function openaiStreamFrames(context: OpenAIResponseContext): string[] {
  const content = SCENARIOS[context.script.scenario];
  const isOpenRouter = context.flavour === 'openrouter';
  // OpenRouter reports usage whatever the client asked; OpenAI only when asked, with `usage: null` on every other chunk.
  const noUsage = context.script.fault === 'no-usage';
  const sendsUsage = (isOpenRouter || context.includeUsage) && !noUsage;
  const frames: string[] = [];
  const chunk = (delta: Record<string, unknown>, finish: string | null = null): void => {
    const body: Record<string, unknown> = {
      id: responseId(context),
      object: 'chat.completion.chunk',
      created: MOCK_CREATED,
      model: context.model,
      system_fingerprint: null,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (isOpenRouter) body.provider = 'Mock';
    if (context.includeUsage && !isOpenRouter && !noUsage) body.usage = null;
    frames.push(`data: ${JSON.stringify(body)}\n\n`);
  };

  if (isOpenRouter) frames.push(': OPENROUTER PROCESSING\n\n');
  const hasLeadingText = content.hasText || content.toolPreamble !== undefined;
  chunk({ role: 'assistant', content: hasLeadingText || content.thinkingFragments ? '' : null });
  for (const fragment of content.thinkingFragments ?? []) chunk({ [reasoningField(context.flavour)]: fragment });
  if (content.hasText) for (const text of textChunks(context.script.chunks)) chunk({ content: text });
  if (content.toolPreamble !== undefined) chunk({ content: content.toolPreamble });
  content.toolCalls.forEach((call, index) => {
    chunk({
      tool_calls: [
        { index, id: `call_mock_${call.idSuffix}`, type: 'function', function: { name: call.name, arguments: '' } },
      ],
    });
    for (const fragment of call.argumentFragments) chunk({ tool_calls: [{ index, function: { arguments: fragment } }] });
  });
  chunk({}, finishReason(context.script));

  if (sendsUsage) {
    const usageChunk: Record<string, unknown> = {
      id: responseId(context),
      object: 'chat.completion.chunk',
      created: MOCK_CREATED,
      model: context.model,
      system_fingerprint: null,
      choices: [],
      usage: openaiUsage(context.flavour, context.script.usage),
    };
    if (isOpenRouter) usageChunk.provider = 'Mock';
    frames.push(`data: ${JSON.stringify(usageChunk)}\n\n`);
  }
  frames.push('data: [DONE]\n\n');
  return frames;
}

/** A data line whose JSON is cut off, as a broken upstream would send it. */
export function openaiMalformedFrame(context: OpenAIResponseContext): string {
  return `data: {"id":"${responseId(context)}","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"mo\n\n`;
}
