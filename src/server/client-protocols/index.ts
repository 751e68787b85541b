import type { ClientProtocol } from '../../usage/types.js';
import { anthropicMessagesSpec } from './anthropic-messages.js';
import { openaiChatSpec } from './openai-chat.js';
import type { ClientProtocolSpec } from './types.js';

/** The spec of a wire protocol, for either side of a call. */
export function specFor(protocol: ClientProtocol): ClientProtocolSpec {
  return protocol === 'anthropic-messages' ? anthropicMessagesSpec : openaiChatSpec;
}
