/** `automodel usage`: the table, JSON output and errors, against a real SQLite file. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createUsageCommand } from '../../src/cli/commands/usage.js';
import { openUsageStore } from '../../src/usage/store.js';
import { makeRecord, makeSparseRecord } from './fixtures.js';

const NOW = Date.UTC(2026, 10, 26, 12);
const HOUR = 3_600_000;

describe('automodel usage', () => {
  const directory = mkdtempSync(join(tmpdir(), 'automodel-cli-'));
  const path = join(directory, 'usage.db');

  before(async () => {
    const store = await openUsageStore({ sqlitePath: path });
    await Promise.all([
      store.record(makeRecord({ time: NOW - HOUR, mode: 'code', costUsd: 0.0123, baselineCostUsd: 0.0615, inputTokens: 1000, outputTokens: 200, cacheReadTokens: 500, cacheWriteTokens: 100 })),
      store.record(makeRecord({ time: NOW - 2 * HOUR, mode: 'plan', costUsd: 0.75, baselineCostUsd: 0.75, inputTokens: 5000, outputTokens: 1000, cacheReadTokens: 2000, cacheWriteTokens: 0 })),
      store.record(makeSparseRecord({ time: NOW - 3 * HOUR })),
      store.record(makeRecord({ time: NOW - 30 * 24 * HOUR, mode: 'code', costUsd: 9, baselineCostUsd: 9 })),
    ]);
    await store.close();
  });
  after(() => rmSync(directory, { recursive: true, force: true }));

  async function run(args: string[], isTTY = false): Promise<string> {
    let output = '';
    const command = createUsageCommand({ stdout: { write: (text: string) => (output += text), isTTY }, env: {}, now: () => NOW });
    command.exitOverride().configureOutput({ writeErr: () => undefined });
    await command.parseAsync(args, { from: 'user' });
    return output;
  }

  it('prints a table for the last 7 days by mode with a total row', async () => {
    const output = await run(['--db', path]);
    const lines = output.split('\n');
    assert.match(lines[0] ?? '', /^mode\s+requests\s+input\s+output\s+cache read\s+cache write\s+cost\s+baseline\s+savings\s+savings %\s+errors$/);
    assert.match(output, /\ncode\s+1\s+1,000\s+200\s+500\s+100\s+\$0\.0123\s+\$0\.0615\s+\$0\.0492\s+80\.0%\s+0\n/);
    assert.match(output, /\nplan\s+1\s+5,000\s+1,000\s+2,000\s+0\s+\$0\.7500\s+\$0\.7500\s+\$0\.0000\s+0\.0%\s+0\n/);
    assert.match(output, /\n\(none\)\s+1\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+-\s+1\n/);
    assert.match(output, /\ntotal\s+3\s+6,000\s+1,200\s+2,500\s+100\s+\$0\.7623\s+\$0\.8115\s+\$0\.0492\s+6\.1%\s+1\n/);
    assert.match(output, /Period: 2026-11-19T12:00:00\.000Z → now/);
    assert.doesNotMatch(output, /\u001b\[/, 'no colour when stdout is not a TTY');
  });

  it('uses colour on a TTY', async () => {
    assert.match(await run(['--db', path], true), /\u001b\[32m/);
  });

  it('prints JSON with --json, honouring --since all and --by', async () => {
    const parsed = JSON.parse(await run(['--db', path, '--json', '--since', 'all', '--by', 'day'])) as {
      by: string; since: null; rows: Array<{ key: string; requests: number }>; total: { requests: number; costUsd: number };
    };
    assert.equal(parsed.by, 'day');
    assert.equal(parsed.since, null);
    assert.deepEqual(parsed.rows.map((row) => [row.key, row.requests]), [['2026-10-27', 1], ['2026-11-26', 3]]);
    assert.deepEqual([parsed.total.requests, parsed.total.costUsd], [4, 9.7623]);
  });

  it('reads AUTOMODEL_DB and refuses a missing database without creating it', async () => {
    let output = '';
    const command = createUsageCommand({ stdout: { write: (text: string) => (output += text) }, env: { AUTOMODEL_DB: path }, now: () => NOW });
    await command.parseAsync(['--json'], { from: 'user' });
    assert.equal((JSON.parse(output) as { total: { requests: number } }).total.requests, 3);
    await assert.rejects(run(['--db', join(directory, 'missing.db')]), /no usage database at .*missing\.db/);
    await assert.rejects(run(['--db', join(directory, 'missing.db')]), /no usage database/);
  });

  it('rejects a bad --since or --by as a usage error', async () => {
    await assert.rejects(run(['--db', path, '--since', 'yesterday']), (error: { code?: string }) => error.code === 'commander.invalidArgument');
    await assert.rejects(run(['--db', path, '--by', 'colour']), (error: { code?: string }) => error.code === 'commander.invalidArgument');
  });
});
