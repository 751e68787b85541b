/**
 * `automodel usage [--since 7d] [--until t] [--by mode] [--json] [--db path]`: cost and savings from the
 * usage store, read directly (no running gateway needed). The database comes from `--db` (a SQLite path or
 * a postgres:// URL), else `DATABASE_URL`, else `AUTOMODEL_DB`, else `./automodel.db`.
 */
import { existsSync } from 'node:fs';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseSince } from '../../usage/report.js';
import {
  openUsageStore,
  storeOptionsFromEnv,
  SUMMARY_DIMENSIONS,
  type SummaryDimension,
  type UsageStore,
  type UsageStoreOptions,
  type UsageSummaryRow,
} from '../../usage/store.js';

/** What the command touches, injectable for tests. */
export interface UsageCommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  env: Record<string, string | undefined>;
  now: () => number;
  openStore: (options: UsageStoreOptions) => Promise<UsageStore>;
}

interface UsageOptions {
  since: string;
  until?: string;
  by: SummaryDimension;
  json?: boolean;
  db?: string;
}

function timeOption(value: string): string {
  if (value.toLowerCase() !== 'all' && parseSince(value, 0) === null) {
    throw new InvalidArgumentError('use a duration (30m, 24h, 7d, 2w), an ISO date or time, or "all".');
  }
  return value;
}

/** The `usage` command. Mount it with `program.addCommand(createUsageCommand())`. */
export function createUsageCommand(io: Partial<UsageCommandIo> = {}): Command {
  const stdout = io.stdout ?? process.stdout;
  const env = io.env ?? process.env;
  const now = io.now ?? Date.now;
  const openStore = io.openStore ?? openUsageStore;
  return new Command('usage')
    .description('Show requests, tokens, cost and savings against always using the reasoning-tier model.')
    .addOption(new Option('--since <time>', 'start of the period: 30m, 24h, 7d, an ISO date/time, or "all"').default('7d').argParser(timeOption))
    .addOption(new Option('--until <time>', 'end of the period (same forms as --since)').argParser(timeOption))
    .addOption(new Option('--by <dimension>', 'group rows by').choices(SUMMARY_DIMENSIONS).default('mode'))
    .option('--json', 'print JSON instead of a table')
    .option('--db <path-or-url>', 'SQLite file or postgres:// URL (default: DATABASE_URL, AUTOMODEL_DB, ./automodel.db)')
    .action(async (options: UsageOptions) => {
      const storeOptions = storeOptionsFromEnv(env, options.db);
      // Reading must not create an empty database somewhere by accident.
      if (storeOptions.sqlitePath !== undefined && storeOptions.sqlitePath !== ':memory:' && !existsSync(storeOptions.sqlitePath)) {
        throw new Error(`no usage database at ${storeOptions.sqlitePath}; run the gateway first, or pass --db / set AUTOMODEL_DB`);
      }
      const at = now();
      const since = options.since.toLowerCase() === 'all' ? undefined : (parseSince(options.since, at) ?? undefined);
      const until = options.until === undefined || options.until.toLowerCase() === 'all' ? undefined : (parseSince(options.until, at) ?? undefined);
      const range = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
      const store = await openStore(storeOptions);
      try {
        const rows = await store.summarize({ ...range, by: options.by });
        const [total] = await store.summarize({ ...range, by: 'total' });
        const period = { since: since === undefined ? null : new Date(since).toISOString(), until: until === undefined ? null : new Date(until).toISOString() };
        if (options.json) {
          stdout.write(`${JSON.stringify({ ...period, by: options.by, rows, total: total ?? null }, null, 2)}\n`);
          return;
        }
        const colour = stdout.isTTY === true && !env.NO_COLOR;
        stdout.write(renderUsageTable(rows, total ?? null, options.by, colour));
        stdout.write(`${describePeriod(period.since, period.until)}\n`);
      } finally {
        await store.close();
      }
    });
}

function describePeriod(since: string | null, until: string | null): string {
  return `Period: ${since ?? 'all time'} → ${until ?? 'now'}. Savings compare each request's cost with the same tokens on the reasoning-tier model.`;
}

// Made on first use: an Intl formatter maps ICU's locale data, and this module is loaded by `automodel serve` too, where
// building one at import cost the gateway 5 MB of resident memory it never used.
let integer: Intl.NumberFormat | undefined;

/** A count with thousands separators; unknown is `-`. */
function formatCount(value: number | null): string {
  if (value === null) return '-';
  integer ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
  return integer.format(value);
}

/** USD with four decimals (most requests cost under a cent); unknown is `-`. */
function formatUsd(value: number | null): string {
  if (value === null) return '-';
  return `${value < 0 ? '-' : ''}$${Math.abs(value).toFixed(4)}`;
}

function formatPct(value: number | null): string {
  return value === null ? '-' : `${value.toFixed(1)}%`;
}

const ANSI = { bold: '\u001b[1m', dim: '\u001b[2m', green: '\u001b[32m', red: '\u001b[31m', reset: '\u001b[0m' };

/**
 * The usage table as text: one line per group, then a total line. Numbers align right. With `colour`,
 * the header and total are bold and savings green (or red when auto routing cost more).
 */
export function renderUsageTable(rows: UsageSummaryRow[], total: UsageSummaryRow | null, by: string, colour: boolean): string {
  const headers = [by, 'requests', 'input', 'output', 'cache read', 'cache write', 'cost', 'baseline', 'savings', 'savings %', 'errors'];
  const cells = (row: UsageSummaryRow, key: string): string[] => [
    key,
    formatCount(row.requests),
    formatCount(row.inputTokens),
    formatCount(row.outputTokens),
    formatCount(row.cacheReadTokens),
    formatCount(row.cacheWriteTokens),
    formatUsd(row.costUsd),
    formatUsd(row.baselineCostUsd),
    formatUsd(row.savingsUsd),
    formatPct(row.savingsPct),
    formatCount(row.errors),
  ];
  const body = rows.map((row) => ({ cells: cells(row, row.key ?? '(none)'), savings: row.savingsUsd }));
  const totalLine = total === null ? null : { cells: cells(total, 'total'), savings: total.savingsUsd };
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...[...body, ...(totalLine ? [totalLine] : [])].map((line) => line.cells[column]?.length ?? 0)),
  );
  const paint = (text: string, code: string): string => (colour ? `${code}${text}${ANSI.reset}` : text);
  const layout = (line: string[], savings: number | null = null): string =>
    line
      .map((cell, column) => {
        const padded = column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0);
        if (column !== 8 || savings === null || savings === 0) return padded;
        return paint(padded, savings > 0 ? ANSI.green : ANSI.red);
      })
      .join('  ');
  const rule = paint(widths.map((width) => '-'.repeat(width)).join('  '), ANSI.dim);
  const lines = [paint(layout(headers), ANSI.bold), rule];
  if (body.length === 0) lines.push('(no requests in this period)');
  for (const line of body) lines.push(layout(line.cells, line.savings));
  if (totalLine) lines.push(rule, colour ? `${ANSI.bold}${layout(totalLine.cells, totalLine.savings)}${ANSI.reset}` : layout(totalLine.cells));
  return `${lines.join('\n')}\n`;
}
