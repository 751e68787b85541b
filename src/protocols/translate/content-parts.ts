/** Shared helpers for content parts: data URLs and text extraction. No regexes: these run per request part. */

/** A parsed `data:<mediaType>;base64,<data>` URL. */
export interface DataUrl {
  mediaType: string;
  data: string;
}

/** Parses a base64 data URL; undefined for anything else (plain URLs, non-base64 data URLs). */
export function parseDataUrl(url: string): DataUrl | undefined {
  if (!url.startsWith('data:')) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) return undefined;
  const header = url.slice(5, comma);
  if (!header.endsWith(';base64')) return undefined;
  return { mediaType: header.slice(0, -';base64'.length) || 'application/octet-stream', data: url.slice(comma + 1) };
}

/** Builds a base64 data URL. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}

/** True for http(s) URLs. */
export function isHttpUrl(url: string): boolean {
  return url.startsWith('https://') || url.startsWith('http://');
}

/** Image media types Anthropic accepts. */
export const ANTHROPIC_IMAGE_TYPES: ReadonlySet<string> = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);
