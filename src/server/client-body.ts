import { GatewayError } from '../errors.js';
import { isRecord } from './client-protocols/types.js';
import { scanTopLevel, spliceTopLevel, type TopLevelScan } from './json-scan.js';

/** Top-level edits a same-protocol call makes to the client's body. Values are JSON text. */
export interface BodyEdits {
  replace?: Record<string, string>;
  remove?: string[];
  /** Added only when the member is absent. */
  add?: Record<string, string>;
}

/**
 * A client's JSON request body, read as little as the request needs. The router needs only a few top-level fields
 * (model, stream, max tokens), so those are parsed alone from a top-level scan; the whole body is parsed only when
 * something needs it (mode inference without a header, translation, per-mode overrides, the context estimate). A
 * same-protocol call splices its edits into the client's own bytes instead of re-serialising the object.
 */
export class ClientBody {
  readonly raw: Buffer;
  readonly #scan: TopLevelScan;
  readonly #fields = new Map<string, unknown>();
  #json: Record<string, unknown> | undefined;
  /** The whole body was replaced (per-mode overrides): serialise `json` instead of splicing `raw`. */
  #replaced = false;

  private constructor(raw: Buffer, scan: TopLevelScan) {
    this.raw = raw;
    this.#scan = scan;
  }

  /** Throws `invalid_json` / `invalid_request` as the client should see them. */
  static parse(raw: Buffer): ClientBody {
    const scan = scanTopLevel(raw);
    if (scan) return new ClientBody(raw, scan);
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
    }
    if (!isRecord(parsed)) throw new GatewayError('invalid_request', 'The request body must be a JSON object.');
    // Valid JSON the scanner refused cannot happen; parse in full if it ever does.
    const body = new ClientBody(raw, { members: new Map(), closeAt: raw.length - 1, imageStrings: -1 });
    body.#json = parsed;
    body.#replaced = true;
    return body;
  }

  /** Strings in the body that begin with `image` (see `TopLevelScan`), or null when the body was not scanned. */
  get imageStrings(): number | null {
    return this.#scan.imageStrings < 0 ? null : this.#scan.imageStrings;
  }

  has(key: string): boolean {
    return this.#json ? key in this.#json : this.#scan.members.has(key);
  }

  /** One top-level member, parsed on its own (undefined when absent). */
  field(key: string): unknown {
    if (this.#json) return this.#json[key];
    if (this.#fields.has(key)) return this.#fields.get(key);
    const range = this.#scan.members.get(key);
    let value: unknown;
    if (range) {
      try {
        value = JSON.parse(this.raw.toString('utf8', range.start, range.end));
      } catch (error) {
        throw new GatewayError('invalid_json', `The request body is not valid JSON (in '${key}'): ${(error as Error).message}`);
      }
    }
    this.#fields.set(key, value);
    return value;
  }

  /** The first byte of a top-level member's raw value, cheaply (to check for `[` without parsing a large array). */
  firstByte(key: string): string | undefined {
    if (this.#json) {
      const value = this.#json[key];
      return Array.isArray(value) ? '[' : undefined;
    }
    const range = this.#scan.members.get(key);
    return range ? String.fromCharCode(this.raw[range.start]!) : undefined;
  }

  /** Whether the top-level member is an empty array (`[]`, spaces allowed). */
  isEmptyArray(key: string): boolean {
    if (this.#json) return Array.isArray(this.#json[key]) && (this.#json[key] as unknown[]).length === 0;
    const range = this.#scan.members.get(key);
    if (range === undefined || this.raw[range.start] !== 0x5b) return false;
    let index = range.start + 1;
    while (index < range.end && (this.raw[index] === 0x20 || this.raw[index] === 0x0a || this.raw[index] === 0x0d || this.raw[index] === 0x09)) index++;
    return this.raw[index] === 0x5d;
  }

  /** The whole body as an object, parsed once on first use. */
  get json(): Record<string, unknown> {
    if (this.#json) return this.#json;
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.raw.toString('utf8'));
    } catch (error) {
      throw new GatewayError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}`);
    }
    this.#json = parsed as Record<string, unknown>;
    return this.#json;
  }

  /**
   * Lets go of the parsed object once the upstream body is built (it is parsed again if a later attempt needs it). A
   * 40 KB agent turn parses into a few hundred KB of objects; kept for the whole life of a stream, 64 of them in flight
   * survived every young-generation collection and were copied into the old generation.
   */
  dropParsed(): void {
    if (!this.#replaced) this.#json = undefined;
  }

  /** Replaces the body (per-mode overrides); later calls serialise it. */
  replace(next: Record<string, unknown>): void {
    this.#json = next;
    this.#replaced = true;
  }

  /** The body for a same-protocol upstream: the client's bytes with only these edits, or the edited object serialised. */
  withEdits(edits: BodyEdits): Buffer | string {
    if (!this.#replaced) return spliceTopLevel(this.raw, this.#scan, edits);
    const out: Record<string, unknown> = { ...this.#json };
    for (const [key, text] of Object.entries(edits.replace ?? {})) out[key] = JSON.parse(text);
    for (const key of edits.remove ?? []) delete out[key];
    for (const [key, text] of Object.entries(edits.add ?? {})) if (!(key in out)) out[key] = JSON.parse(text);
    return JSON.stringify(out);
  }
}
