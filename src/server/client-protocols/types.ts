import type { GatewayError } from '../../errors.js';
import type { ClientProtocol, NormalizedUsage } from '../../usage/types.js';
import type { ClientBody } from '../client-body.js';
import type { SseTap } from '../sse-tap.js';

/** Per-request facts a protocol needs to finish a response (cost to add, whether the client asked for stream usage). */
export interface ResponseContext {
  /** Computes the USD cost for usage the upstream reported (null when unknown). */
  costFor(usage: NormalizedUsage): number | null;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  clientWantsStreamUsage: boolean;
}

/** A stream tap that also reports the usage it saw. */
export interface UsageTap {
  relay: SseTap;
  usage(): NormalizedUsage | null;
  /** An error the upstream reported inside a 200 stream, if any. */
  streamError(): string | null;
}

/**
 * What the pipeline needs to know about one client protocol. Same-protocol traffic uses only these hooks: the body passes
 * through with `model` replaced, and the response bytes are piped back through a tap that observes usage.
 */
export interface ClientProtocolSpec {
  protocol: ClientProtocol;
  /** Upstream path appended to a provider's base URL for this protocol. */
  upstreamPath: string;
  /** A message for a structurally invalid request, or null when it can be routed. Reads only top-level fields. */
  validate(body: ClientBody): string | null;
  isStream(body: ClientBody): boolean;
  requestedOutputTokens(body: ClientBody): number | undefined;
  /** The upstream body for a same-protocol call: the client's bytes, only `model` replaced (plus protocol-specific fixes). */
  passThroughBody(body: ClientBody, upstreamModel: string): Buffer | string;
  usageFromJson(json: Record<string, unknown>): NormalizedUsage | null;
  /** Adds what the gateway promises to a JSON response (e.g. `usage.cost`) in place; true when it changed anything. */
  decorateJson(json: Record<string, unknown>, context: ResponseContext): boolean;
  createUsageTap(context: ResponseContext): UsageTap;
  errorBody(error: GatewayError): unknown;
  /** The protocol's SSE error event, for errors after the stream has started. */
  streamErrorFrame(error: GatewayError): string;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
