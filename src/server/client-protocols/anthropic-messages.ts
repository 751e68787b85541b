import { anthropicErrorBody, type GatewayError } from '../../errors.js';
import { mergeUsage, usageFromAnthropic } from '../../protocols/translate/usage.js';
import type { NormalizedUsage } from '../../usage/types.js';
import { eventData, eventName, SseTap } from '../sse-tap.js';
import { isRecord, type ClientProtocolSpec } from './types.js';

const USAGE_MARKER = Buffer.from('"usage"');
const ERROR_MARKER = Buffer.from('event: error');

/**
 * Anthropic Messages as a client protocol. Same-protocol calls are passed through byte for byte (only `model` changes);
 * the tap reads usage from message_start and message_delta and never alters an event.
 * @see https://docs.anthropic.com/en/api/messages
 */
export const anthropicMessagesSpec: ClientProtocolSpec = {
  protocol: 'anthropic-messages',
  upstreamPath: '/messages',

  validate(body) {
    if (!Array.isArray(body.messages)) return 'messages: Field required (an array of messages).';
    if (body.model !== undefined && typeof body.model !== 'string') return 'model: must be a string.';
    if (body.max_tokens !== undefined && typeof body.max_tokens !== 'number') return 'max_tokens: must be a number.';
    return null;
  },

  isStream: (body) => body.stream === true,

  requestedOutputTokens: (body) => (typeof body.max_tokens === 'number' ? body.max_tokens : undefined),

  passThroughBody: (body, upstreamModel) => JSON.stringify({ ...body, model: upstreamModel }),

  usageFromJson: (json) => (isRecord(json.usage) ? usageFromAnthropic(json.usage) : null),

  decorateJson() {
    // Anthropic's usage object has no cost field; cost is in the x-automodel-cost-usd header and the usage store.
  },

  createUsageTap() {
    let usage: NormalizedUsage | null = null;
    let streamError: string | null = null;
    const stream = new SseTap({
      marker: USAGE_MARKER,
      inspect(eventText) {
        const name = eventName(eventText);
        if (name !== 'message_start' && name !== 'message_delta') return undefined;
        const data = eventData(eventText);
        if (data === null) return undefined;
        try {
          const event: unknown = JSON.parse(data);
          if (!isRecord(event)) return undefined;
          const raw = name === 'message_start' && isRecord(event.message) ? event.message.usage : event.usage;
          if (isRecord(raw)) usage = usage ? mergeUsage(usage, usageFromAnthropic(raw)) : usageFromAnthropic(raw);
        } catch {
          // A malformed event is the client's to see; usage then stays as it was.
        }
        return undefined;
      },
    });
    // Errors inside a 200 stream come as `event: error`; watch for them without a second pass over the bytes.
    stream.on('data', (chunk: Buffer) => {
      if (streamError === null && chunk.indexOf(ERROR_MARKER) !== -1) {
        const text = chunk.toString('utf8');
        const start = text.indexOf('event: error');
        const data = eventData(text.slice(start));
        try {
          const parsed: unknown = data ? JSON.parse(data) : null;
          streamError = isRecord(parsed) && isRecord(parsed.error) && typeof parsed.error.message === 'string' ? parsed.error.message : 'upstream stream error';
        } catch {
          streamError = 'upstream stream error';
        }
      }
    });
    return { stream, usage: () => usage, streamError: () => streamError };
  },

  errorBody: (error: GatewayError) => anthropicErrorBody(error),

  streamErrorFrame: (error: GatewayError) => `event: error\ndata: ${JSON.stringify(anthropicErrorBody(error))}\n\n`,
};
