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
  /**
   * One finder per marker, on event bytes read as latin1 (one char per byte, so ASCII markers match exactly): the index of
   * the marker's next occurrence at or after `from`, or -1.
   */
  readonly finders: ReadonlyArray<(text: string, from: number) => number>;
  readonly terminal: Buffer;
  readonly terminalText: string;
}

export function sseMarkers(options: SseMarkerOptions): SseMarkers {
  return {
    finders: options.markers.map((marker) => {
      const text = marker.toString('latin1');
      if (!options.objectMarkers?.includes(marker)) return (data: string, from: number) => data.indexOf(text, from);
      const pattern = new RegExp(`${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*:\\s*\\{`, 'g');
      return (data: string, from: number) => {
        pattern.lastIndex = from;
        return pattern.exec(data)?.index ?? -1;
      };
    }),
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
    const out = this.rewrite(complete, text);
    return this.holdTerminal(out, out === complete ? text : undefined);
  }

  end(): Buffer | undefined {
    const rest = this.pending;
    this.pending = null;
    const parts: Buffer[] = [];
    if (rest && rest.length > 0) {
      const text = rest.toString('latin1');
      this.dataLines += countDataLines(text);
      const out = this.rewrite(rest, text);
      const tail = this.holdTerminal(out);
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

  /**
   * Hands each event that holds a marker to `inspect` and splices in what it returns. `text` is `complete` read as latin1,
   * so a character index is a byte offset: events are found with string searches and cut from the bytes, and only the
   * inspected events are decoded as UTF-8. (Splitting the whole batch into events with a regular expression cost two
   * thirds of a tap's time on a chunk holding a whole answer.)
   */
  private rewrite(complete: Buffer, text: string): Buffer {
    // Framing is looked for once, at the first marked event: a search for CRLF blank lines in an LF stream would run to
    // the start for every event. A batch without a marked event (most of them) is returned as it is after one search per
    // marker.
    let crlf: boolean | undefined;
    const pieces: Buffer[] = [];
    let copied = 0;
    for (let from = 0; ; ) {
      let at = -1;
      for (const find of this.markers.finders) {
        const found = find(text, from);
        if (found !== -1 && (at === -1 || found < at)) at = found;
      }
      if (at === -1) break;
      crlf ??= text.includes('\r\n\r\n');
      const start = eventStart(text, at, crlf);
      const end = eventEnd(text, at, crlf);
      const replacement = this.inspect(complete.toString('utf8', start, end));
      if (replacement !== undefined) {
        if (start > copied) pieces.push(complete.subarray(copied, start));
        if (replacement !== null && replacement.length > 0) pieces.push(Buffer.from(replacement));
        copied = end;
      }
      from = end;
    }
    if (copied === 0 && pieces.length === 0) return complete;
    if (copied < complete.length) pieces.push(complete.subarray(copied));
    return pieces.length === 1 ? pieces[0]! : Buffer.concat(pieces);
  }
}

/** Where the event holding `index` starts: just past the blank line before it, or 0. */
function eventStart(text: string, index: number, crlf: boolean): number {
  const lf = text.lastIndexOf('\n\n', index);
  const start = lf === -1 ? 0 : lf + 2;
  if (!crlf) return start;
  const crlfAt = text.lastIndexOf('\n\r\n', index);
  return crlfAt === -1 ? start : Math.max(start, crlfAt + 3);
}

/** Where the event holding `index` ends: just past the blank line that closes it, or the end of `text`. */
function eventEnd(text: string, index: number, crlf: boolean): number {
  const lf = text.indexOf('\n\n', index);
  const end = lf === -1 ? text.length : lf + 2;
  if (!crlf) return end;
  const crlfAt = text.indexOf('\n\r\n', index);
  return crlfAt === -1 ? end : Math.min(end, crlfAt + 3);
}

/**
 * The JSON payload of an SSE event's `data:` lines (joined), or null. Lines (LF or CRLF) are walked in place: splitting
 * the event into an array of lines allocated a string a line for the one or two that are read.
 */
export function eventData(eventText: string): string | null {
  let data: string | null = null;
  for (let start = 0; start < eventText.length; ) {
    const newline = eventText.indexOf('\n', start);
    const next = newline === -1 ? eventText.length : newline + 1;
    if (eventText.startsWith('data:', start)) {
      const end = lineEnd(eventText, start, newline);
      const valueStart = start + 5 < end && eventText.charCodeAt(start + 5) === 0x20 ? start + 6 : start + 5;
      const value = eventText.slice(valueStart, end);
      data = data === null ? value : `${data}\n${value}`;
    }
    start = next;
  }
  return data;
}

/** The `event:` name of an SSE event, or undefined. */
export function eventName(eventText: string): string | undefined {
  for (let start = 0; start < eventText.length; ) {
    const newline = eventText.indexOf('\n', start);
    if (eventText.startsWith('event:', start)) return eventText.slice(start + 6, lineEnd(eventText, start, newline)).trim();
    if (newline === -1) return undefined;
    start = newline + 1;
  }
  return undefined;
}

/** Where the line starting at `start` ends: before its LF (at `newline`) and a CR before that, or at the end of `text`. */
function lineEnd(text: string, start: number, newline: number): number {
  if (newline === -1) return text.length;
  return newline > start && text.charCodeAt(newline - 1) === 0x0d ? newline - 1 : newline;
}
