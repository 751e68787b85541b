/**
 * A top-level scanner for JSON request bodies: finds where each top-level member's value sits in the raw bytes, without
 * building the object. Strings are skipped with native `Buffer.indexOf`, so a 40 KB agent turn (mostly prompt text) is
 * scanned in a few microseconds, where `JSON.parse` plus `JSON.stringify` of the same body cost tens.
 *
 * What it checks: the top level is one object, every member is `"key": value`, brackets balance and strings close. What
 * it does not: the grammar inside nested values (a stray comma deep in `messages`). A request that needs more than the
 * top level (inference, translation, overrides) is parsed in full by the caller, which then catches everything.
 */

export interface ValueRange {
  /** Byte offset of the opening quote of the member's key. */
  keyStart: number;
  /** Byte offset of the value's first byte. */
  start: number;
  /** Byte offset just past the value. */
  end: number;
}

export interface TopLevelScan {
  /** Key → value range, in document order. */
  members: Map<string, ValueRange>;
  /** Byte offset of the closing `}`. */
  closeAt: number;
  /**
   * Strings anywhere in the body (keys or values) that begin with `image`: an image part has at least one (`"image_url"`
   * in OpenAI's format, `"image"` in Anthropic's). Counted while the scan passes every string anyway, so the token upper
   * bound needs no search of its own through the body.
   */
  imageStrings: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

function isSpace(byte: number | undefined): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function skipSpace(data: Buffer, index: number): number {
  while (isSpace(data[index])) index++;
  return index;
}

/** Strings beginning with `image` seen by the scan in progress (`scanTopLevel` resets it; scans never interleave). */
let imageStrings = 0;

/** Index just past the string that opens at `index` (a quote), or -1 if it never closes. */
function skipString(data: Buffer, index: number): number {
  // "image…": i m a g e
  if (data[index + 1] === 0x69 && data[index + 2] === 0x6d && data[index + 3] === 0x61 && data[index + 4] === 0x67 && data[index + 5] === 0x65) {
    imageStrings++;
  }
  let search = index + 1;
  for (;;) {
    const quote = data.indexOf(QUOTE, search);
    if (quote === -1) return -1;
    let backslashes = 0;
    for (let back = quote - 1; data[back] === BACKSLASH; back--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    search = quote + 1;
  }
}

/** Index just past the value that starts at `index`, or -1 when it is malformed. */
function skipValue(data: Buffer, index: number): number {
  const first = data[index];
  if (first === QUOTE) return skipString(data, index);
  if (first === OPEN_BRACE || first === OPEN_BRACKET) {
    let depth = 0;
    let position = index;
    while (position < data.length) {
      const byte = data[position]!;
      if (byte === QUOTE) {
        position = skipString(data, position);
        if (position === -1) return -1;
        continue;
      }
      if (byte === OPEN_BRACE || byte === OPEN_BRACKET) depth++;
      else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth--;
        if (depth === 0) return position + 1;
      }
      position++;
    }
    return -1;
  }
  // A number, true, false or null: up to the next delimiter.
  let position = index;
  while (position < data.length) {
    const byte = data[position]!;
    if (byte === COMMA || byte === CLOSE_BRACE || byte === CLOSE_BRACKET || isSpace(byte)) break;
    position++;
  }
  return position === index ? -1 : position;
}

/** Scans a body whose top level must be an object; null when it is not well-formed at that level. */
export function scanTopLevel(data: Buffer): TopLevelScan | null {
  imageStrings = 0;
  let index = skipSpace(data, 0);
  if (data[index] !== OPEN_BRACE) return null;
  index = skipSpace(data, index + 1);
  const members = new Map<string, ValueRange>();
  if (data[index] === CLOSE_BRACE) return skipSpace(data, index + 1) === data.length ? { members, closeAt: index, imageStrings: 0 } : null;
  for (;;) {
    if (data[index] !== QUOTE) return null;
    const keyStart = index;
    const keyEnd = skipString(data, index);
    if (keyEnd === -1) return null;
    let key = data.toString('utf8', index + 1, keyEnd - 1);
    if (key.includes('\\')) {
      try {
        key = JSON.parse(`"${key}"`) as string;
      } catch {
        return null;
      }
    }
    index = skipSpace(data, keyEnd);
    if (data[index] !== COLON) return null;
    index = skipSpace(data, index + 1);
    const end = skipValue(data, index);
    if (end === -1) return null;
    members.set(key, { keyStart, start: index, end });
    index = skipSpace(data, end);
    if (data[index] === COMMA) {
      index = skipSpace(data, index + 1);
      continue;
    }
    if (data[index] !== CLOSE_BRACE) return null;
    return skipSpace(data, index + 1) === data.length ? { members, closeAt: index, imageStrings } : null;
  }
}

/**
 * The body with top-level members replaced, removed or added, spliced at the byte level: every other byte stays as the
 * client sent it. `replace` values are JSON text. Added members go before the closing brace.
 */
export function spliceTopLevel(
  data: Buffer,
  scan: TopLevelScan,
  edits: { replace?: Record<string, string>; remove?: string[]; add?: Record<string, string> },
): Buffer {
  const cuts: Array<{ start: number; end: number; text: string }> = [];
  for (const [key, text] of Object.entries(edits.replace ?? {})) {
    const range = scan.members.get(key);
    if (range) cuts.push({ start: range.start, end: range.end, text });
  }
  for (const key of edits.remove ?? []) {
    const range = scan.members.get(key);
    if (!range) continue;
    // Remove the member with its key and one neighbouring comma, so the result stays valid JSON.
    let end = skipSpace(data, range.end);
    let start = range.keyStart;
    if (data[end] === COMMA) end = skipSpace(data, end + 1);
    else {
      let before = start - 1;
      while (isSpace(data[before])) before--;
      if (data[before] === COMMA) start = before;
    }
    cuts.push({ start, end, text: '' });
  }
  const added = Object.entries(edits.add ?? {})
    .filter(([key]) => !scan.members.has(key))
    .map(([key, text]) => `${JSON.stringify(key)}:${text}`)
    .join(',');
  if (added) cuts.push({ start: scan.closeAt, end: scan.closeAt, text: scan.members.size > 0 ? `,${added}` : added });
  if (cuts.length === 0) return data;
  cuts.sort((left, right) => left.start - right.start);
  const parts: Buffer[] = [];
  let position = 0;
  for (const cut of cuts) {
    parts.push(data.subarray(position, cut.start));
    if (cut.text) parts.push(Buffer.from(cut.text));
    position = cut.end;
  }
  parts.push(data.subarray(position));
  return Buffer.concat(parts);
}
