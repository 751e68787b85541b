import { anthropicErrorBody, type GatewayError } from '../../errors.js';
import { mergeUsage, usageFromAnthropic } from '../../protocols/translate/usage.js';
import type { NormalizedUsage } from '../../usage/types.js';
import { eventData, eventName, SseTap, sseMarkers } from '../sse-tap.js';
import { isRecord, type ClientProtocolSpec } from './types.js';

const USAGE_MARKER = Buffer.from('"usage"');
const ERROR_MARKER = Buffer.from('event: error');
const STOP_MARKER = Buffer.from('event: message_stop');
const MARKERS = sseMarkers({ markers: [USAGE_MARKER, ERROR_MARKER], terminal: STOP_MARKER });

/**
 * Anthropic Messages as a client protocol. Same-protocol calls are passed through byte for byte (only `model` changes);
 * the tap reads usage from message_start and message_delta and never alters an event.
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropicMessagesSpec: ClientProtocolSpec = {
  protocol: 'anthropic-messages',
  upstreamPath: '/messages',

  validate(body) {
    if (body.firstByte('messages') !== '[') return 'messages: Field required (an array of messages).';
    const model = body.field('model');
    if (model !== undefined && typeof model !== 'string') return 'model: must be a string.';
    const maxTokens = body.field('max_tokens');
    if (maxTokens !== undefined && typeof maxTokens !== 'number') return 'max_tokens: must be a number.';
    return null;
  },

  isStream: (body) => body.field('stream') === true,

  requestedOutputTokens(body) {
    const value = body.field('max_tokens');
    return typeof value === 'number' ? value : undefined;
  },

  passThroughBody: (body, upstreamModel) =>
    body.withEdits(body.has('model') ? { replace: { model: JSON.stringify(upstreamModel) } } : { add: { model: JSON.stringify(upstreamModel) } }),

  usageFromJson: (json) => (isRecord(json.usage) ? usageFromAnthropic(json.usage) : null),

  // Anthropic's usage object has no cost field; cost is in the x-automodel-cost-usd header and the usage store.
  decorateJson: () => false,

  createUsageTap() {
    let usage: NormalizedUsage | null = null;
    let streamError: string | null = null;
    const relay = new SseTap(MARKERS, (eventText) => {
      const name = eventName(eventText);
      if (name !== 'message_start' && name !== 'message_delta' && name !== 'error') return undefined;
      const data = eventData(eventText);
      if (data === null) return undefined;
      let event: unknown;
      try {
        event = JSON.parse(data);
      } catch {
        // A malformed event is the client's to see; the counts stay as they were.
        if (name === 'error') streamError = 'upstream stream error';
        return undefined;
      }
      if (!isRecord(event)) return undefined;
      if (name === 'error') {
        streamError = isRecord(event.error) && typeof event.error.message === 'string' ? event.error.message : 'upstream stream error';
        return undefined;
      }
      const raw = name === 'message_start' && isRecord(event.message) ? event.message.usage : event.usage;
      if (isRecord(raw)) usage = usage ? mergeUsage(usage, usageFromAnthropic(raw)) : usageFromAnthropic(raw);
      return undefined;
    });
    return { relay, usage: () => usage, streamError: () => streamError };
  },

  errorBody: (error: GatewayError) => anthropicErrorBody(error),

  streamErrorFrame: (error: GatewayError) => `event: error\ndata: ${JSON.stringify(anthropicErrorBody(error))}\n\n`,
};
