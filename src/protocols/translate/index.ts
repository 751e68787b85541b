/**
 * Cross-protocol translation between OpenAI Chat Completions and Anthropic Messages: requests, non-streaming
 * responses, streams (decoders → StreamEvent → encoders), usage, stop reasons and errors. Pure: no `node:*`.
 */
export { openaiChatToAnthropic, EFFORT_TO_BUDGET } from './request-openai-to-anthropic.js';
export type { OpenaiToAnthropicOptions, TranslatedRequest } from './request-openai-to-anthropic.js';
export { anthropicToOpenaiChat, budgetToEffort } from './request-anthropic-to-openai.js';
export type { AnthropicToOpenaiOptions } from './request-anthropic-to-openai.js';
export { addCacheBreakpoints, hasCacheControl, MAX_CACHE_BREAKPOINTS } from './prompt-caching.js';
export { anthropicMessageToOpenaiCompletion } from './response-anthropic-to-openai.js';
export type { CompletionIdentity } from './response-anthropic-to-openai.js';
export { openaiCompletionToAnthropicMessage } from './response-openai-to-anthropic.js';
export type { MessageIdentity } from './response-openai-to-anthropic.js';
export { usageFromOpenAI, usageFromAnthropic, usageToOpenAI, usageToAnthropic, mergeUsage } from './usage.js';
export { finishReasonFromOpenAI, finishReasonToOpenAI, finishReasonFromAnthropic, finishReasonToAnthropic } from './finish-reason.js';
export { createOpenAIStreamDecoder } from './decode-openai-stream.js';
export type { OpenAIStreamDecoder } from './decode-openai-stream.js';
export { createAnthropicStreamDecoder } from './decode-anthropic-stream.js';
export type { AnthropicStreamDecoder } from './decode-anthropic-stream.js';
export { createOpenAIStreamEncoder } from './encode-openai-stream.js';
export type { OpenAIStreamEncoderOptions, StreamEncoder } from './encode-openai-stream.js';
export { createAnthropicStreamEncoder } from './encode-anthropic-stream.js';
export type { AnthropicStreamEncoderOptions } from './encode-anthropic-stream.js';
export * from './errors.js';
export { createStreamTranslator } from './stream-translator.js';
export type { StreamProtocol, StreamTranslator, StreamTranslatorOptions } from './stream-translator.js';
