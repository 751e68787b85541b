import { openaiErrorBody, type GatewayError } from '../../errors.js';
import { usageFromOpenAI } from '../../protocols/translate/usage.js';
import type { NormalizedUsage } from '../../usage/types.js';
import type { BodyEdits } from '../client-body.js';
import { eventData, SseTap, sseMarkers } from '../sse-tap.js';
import { isRecord, type ClientProtocolSpec, type ResponseContext, type UsageTap } from './types.js';

/** Fields some clients add that are not part of the API; strict upstreams reject them. */
const CLIENT_ONLY_FIELDS = ['description'] as const;

const USAGE_MARKER = Buffer.from('"usage"');
const ERROR_MARKER = Buffer.from('"error"');
const DONE_MARKER = Buffer.from('data: [DONE]');
const MARKERS = sseMarkers({ markers: [USAGE_MARKER, ERROR_MARKER], objectMarkers: [USAGE_MARKER], terminal: DONE_MARKER });

/**
 * OpenAI Chat Completions as a client protocol.
 * @see https://platform.openai.com/docs/api-reference/chat
 */
export const openaiChatSpec: ClientProtocolSpec = {
  protocol: 'openai-chat',
  upstreamPath: '/chat/completions',

  validate(body) {
    if (body.firstByte('messages') !== '[') return "'messages' is required and must be an array of messages.";
    if (body.isEmptyArray('messages')) return "'messages' must contain at least one message.";
    const model = body.field('model');
    if (model !== undefined && typeof model !== 'string') return "'model' must be a string.";
    return null;
  },

  isStream: (body) => body.field('stream') === true,

  requestedOutputTokens(body) {
    const value = body.field('max_completion_tokens') ?? body.field('max_tokens');
    return typeof value === 'number' ? value : undefined;
  },

  passThroughBody(body, upstreamModel) {
    const edits: BodyEdits = { replace: { model: JSON.stringify(upstreamModel) }, remove: [...CLIENT_ONLY_FIELDS] };
    if (!body.has('model')) edits.add = { model: JSON.stringify(upstreamModel) };
    // Always ask a streaming upstream for its usage chunk, so every request is counted; the tap hides it again from
    // clients that did not ask for it.
    if (body.field('stream') === true) {
      const options = body.field('stream_options');
      if (!isRecord(options)) edits.add = { ...edits.add, stream_options: '{"include_usage":true}' };
      else if (options.include_usage !== true) edits.replace!.stream_options = JSON.stringify({ ...options, include_usage: true });
    }
    return body.withEdits(edits);
  },

  usageFromJson: (json) => (isRecord(json.usage) ? usageFromOpenAI(json.usage) : null),

  decorateJson: (json, context) => addCost(json, context),

  createUsageTap(context) {
    let usage: NormalizedUsage | null = null;
    let streamError: string | null = null;
    const relay = new SseTap(MARKERS, (eventText) => {
      const mayBeError = eventText.includes('"error"');
      if (!mayBeError && !hasUsageObject(eventText)) return undefined;
      const data = eventData(eventText);
      if (data === null) return undefined;
      let chunk: unknown;
      try {
        chunk = JSON.parse(data);
      } catch {
        return undefined;
      }
      if (!isRecord(chunk)) return undefined;
      if (isRecord(chunk.error) && typeof chunk.error.message === 'string') streamError = chunk.error.message;
      if (!isRecord(chunk.usage)) return undefined;
      usage = usageFromOpenAI(chunk.usage);
      const emptyChoices = !Array.isArray(chunk.choices) || chunk.choices.length === 0;
      if (!context.clientWantsStreamUsage && emptyChoices) return null;
      if (!addCost(chunk, context)) return undefined;
      return `data: ${JSON.stringify(chunk)}\n\n`;
    });
    return { relay, usage: () => usage, streamError: () => streamError };
  },

  errorBody: (error: GatewayError) => openaiErrorBody(error),

  streamErrorFrame: (error: GatewayError) => `data: ${JSON.stringify(openaiErrorBody(error))}\n\n`,
};

/** Adds `usage.cost` (USD) where the upstream gave none and the price is known. Returns whether it changed anything. */
function addCost(json: Record<string, unknown>, context: ResponseContext): boolean {
  const usage = json.usage;
  if (!isRecord(usage) || typeof usage.cost === 'number') return false;
  const cost = context.costFor(usageFromOpenAI(usage));
  if (cost === null) return false;
  usage.cost = cost;
  return true;
}

/** True when an event carries `"usage": {…}` rather than the `"usage": null` OpenAI puts in every chunk. */
function hasUsageObject(eventText: string): boolean {
  let from = 0;
  for (;;) {
    const at = eventText.indexOf('"usage"', from);
    if (at === -1) return false;
    let index = at + 7;
    while (index < eventText.length && (eventText[index] === ' ' || eventText[index] === ':')) index++;
    if (eventText[index] === '{') return true;
    from = at + 7;
  }
}

export { hasUsageObject };
