/**
 * Anthropic Messages wire format, rendered from the scenario tables.
 * @see Anthropic "Streaming Messages": message_start (a Message with empty content and the input/cache usage), then per
 *   block content_block_start / content_block_delta (text_delta, input_json_delta, thinking_delta, signature_delta) /
 *   content_block_stop, any number of `ping` events, message_delta (stop_reason and cumulative output_tokens), message_stop.
 */
import { SCENARIOS, textChunks } from './scenarios.js';
import type { MockUsage, ResolvedScript } from './types.js';

/** Everything a response builder needs to know about the request. */
export interface AnthropicResponseContext {
  model: string;
  requestId: string;
  script: ResolvedScript;
}

/** One content block of the answer, before rendering. */
type Block =
  | { kind: 'thinking'; fragments: readonly string[]; signature: string }
  | { kind: 'text'; fragments: readonly string[] }
  | { kind: 'tool_use'; id: string; name: string; fragments: readonly string[] };

function blocksOf(script: ResolvedScript): Block[] {
  const content = SCENARIOS[script.scenario];
  const blocks: Block[] = [];
  if (content.thinkingFragments) {
    blocks.push({ kind: 'thinking', fragments: content.thinkingFragments, signature: content.thinkingSignature ?? '' });
  }
  if (content.hasText) blocks.push({ kind: 'text', fragments: textChunks(script.chunks) });
  if (content.toolPreamble !== undefined) blocks.push({ kind: 'text', fragments: [content.toolPreamble] });
  for (const call of content.toolCalls) {
    blocks.push({ kind: 'tool_use', id: `toolu_mock_${call.idSuffix}`, name: call.name, fragments: call.argumentFragments });
  }
  return blocks;
}

function stopReason(script: ResolvedScript): 'tool_use' | 'end_turn' {
  return SCENARIOS[script.scenario].toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

/** The Messages `usage` object (see `MockUsage` for the mapping). */
export function anthropicUsage(usage: MockUsage, outputTokens: number = usage.output): Record<string, number> {
  return {
    input_tokens: usage.input,
    cache_creation_input_tokens: usage.cacheWrite,
    cache_read_input_tokens: usage.cacheRead,
    output_tokens: outputTokens,
  };
}

function messageId(context: AnthropicResponseContext): string {
  return `msg_${context.requestId}`;
}

/** The non-streaming Message object. */
export function anthropicJsonBody(context: AnthropicResponseContext): Record<string, unknown> {
  const content = blocksOf(context.script).map((block) => {
    if (block.kind === 'thinking') return { type: 'thinking', thinking: block.fragments.join(''), signature: block.signature };
    if (block.kind === 'text') return { type: 'text', text: block.fragments.join('') };
    return { type: 'tool_use', id: block.id, name: block.name, input: JSON.parse(block.fragments.join('')) as unknown };
  });
  return {
    id: messageId(context),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content,
    stop_reason: stopReason(context.script),
    stop_sequence: null,
    usage: anthropicUsage(context.script.usage),
  };
}

function event(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** The SSE frames of a streamed answer, each a complete `event:`/`data:` pair ending in a blank line. */
export function anthropicStreamFrames(context: AnthropicResponseContext): string[] {
  const usage = context.script.usage;
  const frames: string[] = [];
  frames.push(
    event('message_start', {
      message: {
        id: messageId(context),
        type: 'message',
        role: 'assistant',
        model: context.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        // The API reports a token or so of output at the start; the final count comes in message_delta.
        usage: anthropicUsage(usage, Math.min(1, usage.output)),
      },
    }),
  );
  blocksOf(context.script).forEach((block, index) => {
    if (block.kind === 'thinking') {
      frames.push(event('content_block_start', { index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
    } else if (block.kind === 'text') {
      frames.push(event('content_block_start', { index, content_block: { type: 'text', text: '' } }));
    } else {
      frames.push(event('content_block_start', { index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
    }
    if (index === 0) frames.push(event('ping', {}));
    for (const fragment of block.fragments) {
      const delta =
        block.kind === 'thinking'
          ? { type: 'thinking_delta', thinking: fragment }
          : block.kind === 'text'
            ? { type: 'text_delta', text: fragment }
            : { type: 'input_json_delta', partial_json: fragment };
      frames.push(event('content_block_delta', { index, delta }));
    }
    if (block.kind === 'thinking') {
      frames.push(event('content_block_delta', { index, delta: { type: 'signature_delta', signature: block.signature } }));
    }
    frames.push(event('content_block_stop', { index }));
  });
  frames.push(
    event('message_delta', {
      delta: { stop_reason: stopReason(context.script), stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
  );
  frames.push(event('message_stop', {}));
  return frames;
}

/** A content_block_delta whose JSON is cut off. */
export function anthropicMalformedFrame(): string {
  return 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de\n\n';
}

/** The count_tokens answer: every input token, cached or not. */
export function anthropicCountTokensBody(usage: MockUsage): Record<string, number> {
  return { input_tokens: usage.input + usage.cacheRead + usage.cacheWrite };
}
