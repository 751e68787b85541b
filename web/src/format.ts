/**
 * Number, money and time formatting for the dashboard. Pure functions; the browser test reads what these
 * produce, so they are exact and locale-independent (en-US grouping, "." decimals).
 */

const NONE = '—';

/**
 * US dollars to the cent; values under a cent keep two significant digits (up to six decimals) so a
 * $0.0006 request does not read as $0.00. Null (price unknown) is a dash, never $0.
 */
export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const sign = value < 0 ? '−' : '';
  const magnitude = Math.abs(value);
  if (magnitude === 0) return '$0.00';
  if (magnitude < 0.01) {
    const digits = Math.min(6, Math.max(2, 1 - Math.floor(Math.log10(magnitude))));
    const text = magnitude.toFixed(digits).replace(/0+$/, '');
    return `${sign}$${text.endsWith('.') ? `${text}00` : text}`;
  }
  return `${sign}$${groupThousands(magnitude.toFixed(2))}`;
}

/** A whole count with thousands separators. */
export function formatCount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return groupThousands(String(Math.round(value)));
}

/** Token counts: exact below 10,000, then compact (12.3k, 4.56M). */
export function formatTokens(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  const magnitude = Math.abs(value);
  if (magnitude < 10_000) return formatCount(value);
  if (magnitude < 1_000_000) return `${trimZeros((value / 1000).toFixed(1))}k`;
  if (magnitude < 1_000_000_000) return `${trimZeros((value / 1_000_000).toFixed(2))}M`;
  return `${trimZeros((value / 1_000_000_000).toFixed(2))}B`;
}

/** A percentage with one decimal (`26.7%`). */
export function formatPercent(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return NONE;
  return `${value < 0 ? '−' : ''}${Math.abs(value).toFixed(1)}%`;
}

/** Milliseconds as `850 ms` or `2.4 s`. */
export function formatDuration(milliseconds: number | null | undefined): string {
  if (milliseconds === null || milliseconds === undefined || !Number.isFinite(milliseconds)) return NONE;
  if (milliseconds < 1000) return `${Math.round(milliseconds)} ms`;
  if (milliseconds < 60_000) return `${trimZeros((milliseconds / 1000).toFixed(1))} s`;
  return `${Math.floor(milliseconds / 60_000)}m ${Math.round((milliseconds % 60_000) / 1000)}s`;
}

const pad = (value: number): string => String(value).padStart(2, '0');

/** Local wall-clock time `HH:MM:SS`, with the date in front when it is not today. */
export function formatTime(epochMs: number, now: number = Date.now()): string {
  const date = new Date(epochMs);
  const clock = `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
  return new Date(now).toDateString() === date.toDateString() ? clock : `${formatDate(epochMs)} ${clock}`;
}

/** Local date `YYYY-MM-DD`. */
export function formatDate(epochMs: number): string {
  const date = new Date(epochMs);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** Full local timestamp with milliseconds and the UTC offset, for the detail view. */
export function formatTimestamp(epochMs: number): string {
  const date = new Date(epochMs);
  const offset = -date.getTimezoneOffset();
  const offsetText = `${offset >= 0 ? '+' : '−'}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  return `${formatDate(epochMs)} ${formatTime(epochMs, epochMs)}.${String(date.getMilliseconds()).padStart(3, '0')} ${offsetText}`;
}

/** "12 s ago", "5 min ago"… for the "updated" indicator. */
export function formatAgo(epochMs: number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - epochMs) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  return `${Math.floor(seconds / 3600)} h ago`;
}

function groupThousands(text: string): string {
  const [whole = '', fraction] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

/** The p-th percentile (0–100) by nearest rank of already-sorted numbers; null for none. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] ?? null;
}
