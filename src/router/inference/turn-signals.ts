/**
 * Mode signals carried by user turns: the environment block Roo Code, Kilo Code and Cline append to each user message,
 * Cline's `<user_input mode="...">` wrapper, and the `<system-reminder>` blocks Claude Code, opencode and the Kilo CLI
 * inject while plan mode is on (or right after it ends).
 *
 * Only fixed markers are searched with indexOf, and only within a bounded window of each text part, so a user turn that
 * holds a 200 KB tool result costs no more than a short one. Free text typed by the user is never read as a mode: a
 * user writing "let's plan this" is not in plan mode.
 */

/** The kind of marker found in a user turn. */
export type TurnSignalKind = 'environment-slug' | 'cline-environment' | 'cline-user-input' | 'plan-active' | 'plan-ended';

/** One mode marker found in a user turn. */
export interface TurnSignal {
  kind: TurnSignalKind;
  /** The raw value: a mode slug (`architect`), `plan`/`act`, or the reminder's meaning. */
  value: string;
  /** Human-readable description of the marker. */
  evidence: string;
}

/** A text part longer than this is scanned only at its head and tail. */
const LONG_PART = 24_576;
const HEAD_WINDOW = 16_384;
const TAIL_WINDOW = 8_192;
/** How much of a reminder's body is read to classify it. */
const REMINDER_WINDOW = 1_200;
/** At most this many reminders are classified per text part. */
const MAX_REMINDERS_PER_PART = 6;

const CURRENT_MODE_MARKER = '# Current Mode\n';
const USER_INPUT_MARKER = '<user_input mode="';
const REMINDER_OPEN = '<system-reminder>';
const REMINDER_CLOSE = '</system-reminder>';
const PLAN_APPROVED_MARKER = 'User has approved your plan';

/** Phrases of a reminder that re-enters plan mode: checked first, because such a reminder may mention the exit. */
const PLAN_REENTER_PHRASES = ['re-entering plan mode'];
/** Phrases of a reminder that ends plan mode (Claude Code, opencode, the Kilo CLI). */
const PLAN_ENDED_PHRASES = ['exited plan mode', 'plan mode has ended', 'from plan to build', 'no longer in read-only mode'];
/** Phrases of a reminder that says plan mode is on. */
const PLAN_ACTIVE_PHRASES = [
  'plan mode is active',
  'plan mode still active',
  'plan mode active',
  '# plan mode',
  'plan mode - system reminder',
  '## plan file',
];

function containsAny(haystack: string, needles: readonly string[]): string | undefined {
  for (const needle of needles) if (haystack.indexOf(needle) !== -1) return needle;
  return undefined;
}

/** Classifies one `<system-reminder>` body (already lowercased). */
function classifyReminder(body: string): TurnSignal | undefined {
  if (containsAny(body, PLAN_REENTER_PHRASES)) {
    return { kind: 'plan-active', value: 'plan', evidence: 'plan-mode reminder (re-entering plan mode)' };
  }
  const ended = containsAny(body, PLAN_ENDED_PHRASES);
  if (ended) return { kind: 'plan-ended', value: 'build', evidence: `plan-mode exit reminder ("${ended}")` };
  if (containsAny(body, PLAN_ACTIVE_PHRASES)) return { kind: 'plan-active', value: 'plan', evidence: 'plan-mode reminder' };
  return undefined;
}

interface Located {
  signal: TurnSignal;
  position: number;
}

/** Scans one window of text; returns the marker found last in it (the latest one governs). */
function scanWindow(text: string, offset: number, best: Located | undefined): Located | undefined {
  let latest = best;
  const consider = (signal: TurnSignal, position: number): void => {
    if (!latest || position + offset >= latest.position) latest = { signal, position: position + offset };
  };

  let modeAt = text.indexOf(CURRENT_MODE_MARKER);
  while (modeAt !== -1) {
    const after = modeAt + CURRENT_MODE_MARKER.length;
    if (text.startsWith('<slug>', after)) {
      const end = text.indexOf('</slug>', after + 6);
      if (end !== -1 && end - after < 80) {
        const slug = text.slice(after + 6, end).trim().toLowerCase();
        if (slug) consider({ kind: 'environment-slug', value: slug, evidence: `environment_details current mode <slug>${slug}</slug>` }, modeAt);
      }
    } else if (text.startsWith('PLAN MODE', after)) {
      consider({ kind: 'cline-environment', value: 'plan', evidence: 'environment_details current mode: PLAN MODE' }, modeAt);
    } else if (text.startsWith('ACT MODE', after)) {
      consider({ kind: 'cline-environment', value: 'act', evidence: 'environment_details current mode: ACT MODE' }, modeAt);
    }
    modeAt = text.indexOf(CURRENT_MODE_MARKER, after);
  }

  const inputAt = text.lastIndexOf(USER_INPUT_MARKER);
  if (inputAt !== -1) {
    const start = inputAt + USER_INPUT_MARKER.length;
    const end = text.indexOf('"', start);
    if (end !== -1 && end - start <= 8) {
      const value = text.slice(start, end).toLowerCase();
      consider({ kind: 'cline-user-input', value, evidence: `<user_input mode="${value}">` }, inputAt);
    }
  }

  // Claude Code's ExitPlanMode tool result: approval ends plan mode even when no exit reminder follows.
  const approvedAt = text.indexOf(PLAN_APPROVED_MARKER);
  if (approvedAt !== -1) consider({ kind: 'plan-ended', value: 'build', evidence: 'ExitPlanMode result: plan approved' }, approvedAt);

  let reminderAt = text.indexOf(REMINDER_OPEN);
  for (let count = 0; reminderAt !== -1 && count < MAX_REMINDERS_PER_PART; count++) {
    const bodyStart = reminderAt + REMINDER_OPEN.length;
    const close = text.indexOf(REMINDER_CLOSE, bodyStart);
    const bodyEnd = close === -1 || close - bodyStart > REMINDER_WINDOW ? bodyStart + REMINDER_WINDOW : close;
    const signal = classifyReminder(text.slice(bodyStart, bodyEnd).toLowerCase());
    if (signal) consider(signal, reminderAt);
    reminderAt = text.indexOf(REMINDER_OPEN, bodyEnd);
  }
  return latest;
}

/**
 * Finds the latest mode marker in one user turn (its text parts in order), or undefined.
 * Within a turn the marker that comes last wins, like across turns.
 */
export function scanUserTurn(texts: readonly string[]): TurnSignal | undefined {
  return scanParts(texts, scanWindow);
}

/**
 * Runs `scan` over a message's text parts in order, a long part only at its head and tail, and returns the latest signal.
 * Positions count across parts (one separator between them), so the marker that comes last wins.
 */
function scanParts(
  texts: readonly string[],
  scan: (text: string, offset: number, best: Located | undefined) => Located | undefined,
): TurnSignal | undefined {
  let best: Located | undefined;
  let offset = 0;
  for (const text of texts) {
    if (text.length > LONG_PART) {
      best = scan(text.slice(0, HEAD_WINDOW), offset, best);
      const tailStart = text.length - TAIL_WINDOW;
      best = scan(text.slice(tailStart), offset + tailStart, best);
    } else {
      best = scan(text, offset, best);
    }
    offset += text.length + 1;
  }
  return best?.signal;
}

/**
 * Openers of the plan-mode notes Claude Code sends as mid-conversation system messages, and what each means. Only a
 * line that starts with one counts: the same message lists agents and skills whose descriptions may mention plans.
 */
const HARNESS_PLAN_NOTES: ReadonlyArray<{ opener: string; kind: 'plan-active' | 'plan-ended'; value: string }> = [
  { opener: 'Plan mode is active', kind: 'plan-active', value: 'plan' },
  { opener: 'Plan mode still active', kind: 'plan-active', value: 'plan' },
  { opener: '## Re-entering Plan Mode', kind: 'plan-active', value: 'plan' },
  { opener: '## Exited Plan Mode', kind: 'plan-ended', value: 'build' },
];

function latestLineStart(text: string, opener: string): number {
  let at = text.lastIndexOf(opener);
  while (at > 0 && text.charCodeAt(at - 1) !== 10 /* \n */) at = text.lastIndexOf(opener, at - 1);
  return at;
}

function scanHarnessWindow(text: string, offset: number, best: Located | undefined): Located | undefined {
  let latest = best;
  for (const note of HARNESS_PLAN_NOTES) {
    const at = latestLineStart(text, note.opener);
    if (at === -1 || (latest && at + offset < latest.position)) continue;
    const evidence = note.kind === 'plan-active' ? `plan-mode note ("${note.opener}")` : `plan-mode exit note ("${note.opener}")`;
    latest = { signal: { kind: note.kind, value: note.value, evidence }, position: at + offset };
  }
  return latest;
}

/**
 * Finds the latest plan-mode note in a mid-conversation system message (its text parts in order), or undefined.
 * Such a message is written by the harness, never typed by the user, but it also carries agent and skill listings,
 * so only the notes' line openers are matched.
 */
export function scanHarnessMessage(texts: readonly string[]): TurnSignal | undefined {
  return scanParts(texts, scanHarnessWindow);
}

/** Phrases of a final user turn that asks for a compaction summary (Claude Code, older opencode); matched as written. */
const COMPACTION_REQUEST_PHRASES = [
  'detailed summary of the conversation so far',
  'detailed summary of this conversation',
  'detailed prompt for continuing our conversation',
];
/** The compaction instructions open the turn; reading further would only cost time. */
const COMPACTION_WINDOW = 2_048;

/** Returns the compaction phrase found at the start of the newest user turn's text parts, if any. */
export function findCompactionRequest(texts: readonly string[]): string | undefined {
  for (const text of texts) {
    const window = text.length > COMPACTION_WINDOW ? text.slice(0, COMPACTION_WINDOW) : text;
    const phrase = containsAny(window, COMPACTION_REQUEST_PHRASES);
    if (phrase) return phrase;
  }
  return undefined;
}
