/**
 * Watches an SSE byte stream on its way to the client without parsing what it need not parse. Bytes are forwarded as they
 * arrive, cut only at event boundaries; an event whose bytes contain one of `markers` is handed, as text, to `inspect`, which may
 * keep it (undefined), replace it (a string, framing included) or drop it (null). Everything else is never decoded.
 */
export interface SseMarkerOptions {
  /** Events containing any of these byte strings are inspected. */
  markers: Buffer[];
  /**
   * Of `markers`, those that count only when a JSON object follows (`"usage": {`, not `"usage": null`): OpenAI-compatible
   * streams carry `"usage": null` in every chunk, and inspecting each one cost more than the rest of the relay.
   */
  objectMarkers?: Buffer[];
  /** The protocol's last event (`data: [DONE]`, `event: message_stop`): it and what follows are held for `StreamRelay.end`. */
  terminal: Buffer;
}

/** A protocol's markers, compiled once (module scope), not per response. */
export interface SseMarkers {
  /** One test per marker, on the event bytes read as latin1 (one char per byte, so ASCII markers match exactly). */
  readonly tests: ReadonlyArray<(text: string) => boolean>;
  /** The markers as UTF-8 text, to find the marked events inside a batch. */
  readonly texts: readonly string[];
  readonly terminal: Buffer;
  readonly terminalText: string;
}

export function sseMarkers(options: SseMarkerOptions): SseMarkers {
  return {
    tests: options.markers.map((marker) => {
      const text = marker.toString('latin1');
      if (!options.objectMarkers?.includes(marker)) return (data: string) => data.includes(text);
      const pattern = new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*\\{`);
      return (data: string) => pattern.test(data);
    }),
    texts: options.markers.map((marker) => marker.toString('utf8')),
    terminal: options.terminal,
    terminalText: options.terminal.toString('latin1'),
  };
}

/** `data:` at the start of a line, in SSE text. */
function countDataLines(text: string): number {
  let count = text.startsWith('data:') ? 1 : 0;
  for (let at = text.indexOf('\ndata:'); at !== -1; at = text.indexOf('\ndata:', at + 6)) count++;
  return count;
}

const LF = 0x0a;
const CR = 0x0d;

/** Index just past the last blank line (event boundary) in `data`, or -1. Handles LF and CRLF framing. */
export function lastEventBoundary(data: Buffer): number {
  for (let index = data.length - 1; index > 0; index--) {
    if (data[index] !== LF) continue;
    if (data[index - 1] === LF) return index + 1;
    if (data[index - 1] === CR && index >= 3 && data[index - 2] === LF && data[index - 3] === CR) return index + 1;
  }
  return -1;
}

/** Turns an upstream SSE byte stream into what the client is sent, chunk by chunk (see `relayStream`). */
export interface StreamRelay {
  /** Output for the client now; from the protocol's terminal event on, output is held back for `end`. */
  push(chunk: Buffer): Buffer | string | undefined;
  /**
   * The upstream ended: everything still to send, the held closing events included. Called before the usage record is
   * written (it may find the usage), and sent after it is durable, so a client never sees the end of a response whose
   * record a kill could lose.
   */
  end(): Buffer | string | undefined;
  /** `performance.now()` of the first upstream chunk. */
  readonly firstByteAt: number | null;
  /** The answer's output tokens as relayed so far, estimated; for a record whose upstream sent no usage. */
  answerTokens(): number;
}

/** The same-protocol relay: bytes pass as they came, cut at event boundaries; only marked events are decoded. */
export class SseTap implements StreamRelay {
  private pending: Buffer | null = null;
  /** Output held back from the terminal event on. */
  private held: Buffer[] | null = null;
  /** `data:` lines relayed: an OpenAI-compatible stream sends about one token a chunk. */
  private dataLines = 0;
  private terminalSeen = false;
  firstByteAt: number | null = null;

  /**
   * `inspect` gets each marked event as text and may keep it (undefined), replace it (a string, framing included) or drop
   * it (null).
   */
  constructor(
    private readonly markers: SseMarkers,
    private readonly inspect: (eventText: string) => string | null | undefined,
  ) {}

  push(chunk: Buffer): Buffer | undefined {
    if (this.firstByteAt === null) this.firstByteAt = performance.now();
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = lastEventBoundary(data);
    if (end === -1) {
      this.pending = data;
      return undefined;
    }
    this.pending = end === data.length ? null : Buffer.from(data.subarray(end));
    const complete = end === data.length ? data : data.subarray(0, end);
    // Buffer.indexOf costs a trip into C++ per call; one latin1 copy and string searches cost a tenth of the ~25 calls a
    // chunk of OpenAI events took (each carries "usage": null).
    const text = complete.toString('latin1');
    this.dataLines += countDataLines(text);
    const out = this.marked(text) ? this.rewrite(complete) : complete;
    return this.holdTerminal(typeof out === 'string' ? Buffer.from(out) : out, out === complete ? text : undefined);
  }

  end(): Buffer | undefined {
    const rest = this.pending;
    this.pending = null;
    const parts: Buffer[] = [];
    if (rest && rest.length > 0) {
      const text = rest.toString('latin1');
      this.dataLines += countDataLines(text);
      const out = this.marked(text) ? this.rewrite(rest) : rest;
      const tail = this.holdTerminal(typeof out === 'string' ? Buffer.from(out) : out);
      if (tail) parts.push(tail);
    }
    if (this.held) parts.push(...this.held);
    this.held = null;
    if (parts.length === 0) return undefined;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /**
   * Without decoding, the best count at hand is the chunks: OpenAI-compatible upstreams stream about one token a chunk.
   * The first (role) chunk carries none, nor, once the stream got that far, the finish chunk and `[DONE]`.
   */
  answerTokens(): number {
    return Math.max(0, this.dataLines - 1 - (this.terminalSeen ? 2 : 0));
  }

  /** What may go out now; from the terminal event on, output is kept in `held`. */
  private holdTerminal(out: Buffer, text?: string): Buffer | undefined {
    if (this.held) {
      if (out.length > 0) this.held.push(out);
      return undefined;
    }
    const at = text !== undefined ? text.indexOf(this.markers.terminalText) : out.indexOf(this.markers.terminal);
    if (at === -1) return out;
    this.terminalSeen = true;
    this.held = [out.subarray(at)];
    return at > 0 ? out.subarray(0, at) : undefined;
  }

  private marked(text: string): boolean {
    for (const test of this.markers.tests) if (test(text)) return true;
    return false;
  }

  private rewrite(complete: Buffer): Buffer | string {
    const text = complete.toString('utf8');
    const parts = text.split(/(?<=\r?\n\r?\n)/);
    let changed = false;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index]!;
      if (!this.markers.texts.some((marker) => part.includes(marker))) continue;
      const replacement = this.inspect(part);
      if (replacement === undefined) continue;
      parts[index] = replacement ?? '';
      changed = true;
    }
    return changed ? parts.join('') : complete;
  }
}

/** The JSON payload of an SSE event's `data:` lines (joined), or null. */
export function eventData(eventText: string): string | null {
  let data: string | null = null;
  for (const line of eventText.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const value = line.charCodeAt(5) === 0x20 ? line.slice(6) : line.slice(5);
    data = data === null ? value : `${data}\n${value}`;
  }
  return data;
}

/** The `event:` name of an SSE event, or undefined. */
export function eventName(eventText: string): string | undefined {
  for (const line of eventText.split(/\r?\n/)) {
    if (line.startsWith('event:')) return line.slice(6).trim();
  }
  return undefined;
}
