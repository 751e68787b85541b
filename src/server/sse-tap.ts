import { Transform, type TransformCallback } from 'node:stream';

/**
 * Watches an SSE byte stream on its way to the client without parsing what it need not parse. Bytes are forwarded as they
 * arrive, cut only at event boundaries; an event whose bytes contain one of `markers` is handed, as text, to `inspect`, which may
 * keep it (undefined), replace it (a string, framing included) or drop it (null). Everything else is never decoded.
 */
export interface SseTapOptions {
  /** Events containing any of these byte strings are inspected. */
  markers: Buffer[];
  /**
   * Of `markers`, those that count only when a JSON object follows (`"usage": {`, not `"usage": null`): OpenAI-compatible
   * streams carry `"usage": null` in every chunk, and inspecting each one cost more than the rest of the relay.
   */
  objectMarkers?: Buffer[];
  /** The protocol's last event (`data: [DONE]`, `event: message_stop`): it and what follows wait for `beforeEnd`. */
  terminal: Buffer;
  inspect(eventText: string): string | null | undefined;
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

export class SseTap extends Transform {
  private pending: Buffer | null = null;
  private readonly markerTexts: string[];
  /** Output held back from the terminal event on, until `beforeEnd` has run. */
  private held: Buffer[] | null = null;
  firstByteAt: number | null = null;
  /**
   * Runs before the terminal event is released, so a client never sees the end of a response whose usage record is
   * not yet durable (a kill between the two would lose a request the client saw complete).
   */
  beforeEnd: (() => Promise<void>) | null = null;

  constructor(private readonly options: SseTapOptions) {
    super();
    this.markerTexts = options.markers.map((marker) => marker.toString('utf8'));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.firstByteAt === null) this.firstByteAt = performance.now();
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = lastEventBoundary(data);
    if (end === -1) {
      this.pending = data;
      callback();
      return;
    }
    this.pending = end === data.length ? null : Buffer.from(data.subarray(end));
    const complete = end === data.length ? data : data.subarray(0, end);
    const out = this.marked(complete) ? this.rewrite(complete) : complete;
    callback(null, this.holdTerminal(typeof out === 'string' ? Buffer.from(out) : out));
  }

  override _flush(callback: TransformCallback): void {
    const rest = this.pending;
    this.pending = null;
    if (rest && rest.length > 0) {
      const out = this.marked(rest) ? this.rewrite(rest) : rest;
      const tail = this.holdTerminal(typeof out === 'string' ? Buffer.from(out) : out);
      if (tail) this.push(tail);
    }
    const release = () => {
      if (this.held) for (const chunk of this.held) this.push(chunk);
      this.held = null;
      callback();
    };
    if (this.beforeEnd) this.beforeEnd().then(release, (error: unknown) => callback(error as Error));
    else release();
  }

  /** What may go out now; from the terminal event on, output is kept in `held`. */
  private holdTerminal(out: Buffer): Buffer | undefined {
    if (this.held) {
      if (out.length > 0) this.held.push(out);
      return undefined;
    }
    const at = out.indexOf(this.options.terminal);
    if (at === -1) return out;
    this.held = [out.subarray(at)];
    return at > 0 ? out.subarray(0, at) : undefined;
  }

  private marked(data: Buffer): boolean {
    for (const marker of this.options.markers) {
      if (this.options.objectMarkers?.includes(marker)) {
        if (hasObjectAfter(data, marker)) return true;
      } else if (data.indexOf(marker) !== -1) return true;
    }
    return false;
  }

  private rewrite(complete: Buffer): Buffer | string {
    const text = complete.toString('utf8');
    const parts = text.split(/(?<=\r?\n\r?\n)/);
    let changed = false;
    for (let index = 0; index < parts.length; index++) {
      const part = parts[index]!;
      if (!this.markerTexts.some((marker) => part.includes(marker))) continue;
      const replacement = this.options.inspect(part);
      if (replacement === undefined) continue;
      parts[index] = replacement ?? '';
      changed = true;
    }
    return changed ? parts.join('') : complete;
  }
}

/** Whether some occurrence of `marker` (a JSON member name with its quotes) in `data` has an object as its value. */
export function hasObjectAfter(data: Buffer, marker: Buffer): boolean {
  for (let at = data.indexOf(marker); at !== -1; at = data.indexOf(marker, at + marker.length)) {
    let index = at + marker.length;
    while (data[index] === 0x20 || data[index] === 0x3a || data[index] === 0x0a || data[index] === 0x0d || data[index] === 0x09) index++;
    if (data[index] === 0x7b) return true;
  }
  return false;
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
