/**
 * Prints mode-inference accuracy on the labelled fixtures: a per-agent table, a confusion matrix (expected × inferred,
 * after the confidence threshold) and the misses. Exits 1 when a target is missed: >= 97% overall, >= 90% per agent,
 * and no request without an agent signal inferred as a reasoning-tier mode.
 *
 * Usage: node dist/scripts/mode-accuracy.js [--threshold 0.6] (run from the repo root).
 */
import {
  accuracyByGroup, DEFAULT_THRESHOLD, loadModeFixtures, reasoningLeaks, scoreFixture, type FixtureResult,
} from '../test/fixtures/modes/mode-fixtures.js';

const OVERALL_TARGET = 0.97;
const GROUP_TARGET = 0.9;

function parseThreshold(argv: readonly string[]): number {
  const index = argv.indexOf('--threshold');
  if (index === -1) return DEFAULT_THRESHOLD;
  const value = Number(argv[index + 1]);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    process.stderr.write('--threshold takes a number between 0 and 1\n');
    process.exit(2);
  }
  return value;
}

const label = (mode: string | null): string => mode ?? '(none)';
const percent = (value: number): string => `${(value * 100).toFixed(1)}%`;

/** opencode and the Kilo CLI share their helper prompts (title, summary, compaction, explore); either name is right. */
function sameFamily(inferred: string | null, expected: string | null): boolean {
  return inferred === 'opencode' && expected === 'kilo-cli';
}

function printConfusion(results: readonly FixtureResult[]): void {
  const expected = [...new Set(results.map((result) => label(result.fixture.expectedMode)))].sort();
  const inferred = [...new Set([...expected, ...results.map((result) => label(result.effectiveMode))])].sort();
  const counts = new Map<string, number>();
  for (const result of results) {
    const key = `${label(result.fixture.expectedMode)}\u0000${label(result.effectiveMode)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const width = Math.max(...inferred.map((mode) => mode.length), 5) + 1;
  const firstWidth = Math.max(...expected.map((mode) => mode.length), 'expected \\ inferred'.length) + 1;
  const lines = ['expected \\ inferred'.padEnd(firstWidth) + inferred.map((mode) => mode.padStart(width)).join('')];
  for (const row of expected) {
    const cells = inferred.map((column) => {
      const count = counts.get(`${row}\u0000${column}`) ?? 0;
      return (count === 0 ? '.' : String(count)).padStart(width);
    });
    lines.push(row.padEnd(firstWidth) + cells.join(''));
  }
  process.stdout.write(`\nConfusion matrix (rows: expected mode, columns: inferred mode after threshold)\n${lines.join('\n')}\n`);
}

function main(): void {
  const threshold = parseThreshold(process.argv.slice(2));
  const results = loadModeFixtures().map((fixture) => scoreFixture(fixture, threshold));
  const { groups, overall } = accuracyByGroup(results);
  process.stdout.write(`Mode inference accuracy (${results.length} labelled requests, confidence threshold ${threshold})\n\n`);
  process.stdout.write(`${'agent'.padEnd(14)}${'requests'.padStart(9)}${'correct'.padStart(9)}${'accuracy'.padStart(10)}${'agent named'.padStart(13)}\n`);
  const agentNamed = (group: string): string => {
    const members = results.filter((result) => group === 'overall' || result.fixture.group === group);
    const named = members.filter((result) => result.inferred.agent === result.fixture.agent || sameFamily(result.inferred.agent, result.fixture.agent));
    return `${named.length}/${members.length}`;
  };
  for (const group of [...groups, overall]) {
    const flag = group.group === 'overall' ? (group.accuracy >= OVERALL_TARGET ? '' : '  < 97% target') : group.accuracy >= GROUP_TARGET ? '' : '  < 90% target';
    process.stdout.write(`${group.group.padEnd(14)}${String(group.total).padStart(9)}${String(group.correct).padStart(9)}${percent(group.accuracy).padStart(10)}${agentNamed(group.group).padStart(13)}${flag}\n`);
  }
  printConfusion(results);
  const misses = results.filter((result) => !result.correct);
  if (misses.length > 0) {
    process.stdout.write('\nMisses\n');
    for (const miss of misses) {
      const { inferred } = miss;
      process.stdout.write(`  ${miss.fixture.id}: expected ${label(miss.fixture.expectedMode)}, inferred ${label(inferred.mode)} @ ${inferred.confidence} (${inferred.evidence.join('; ')})\n`);
    }
  }
  const leaks = reasoningLeaks(results);
  process.stdout.write(`\nNo-signal requests inferred as a reasoning-tier mode: ${leaks.length}\n`);
  for (const leak of leaks) process.stdout.write(`  ${leak.fixture.id}: ${label(leak.effectiveMode)}\n`);
  const failed = overall.accuracy < OVERALL_TARGET || groups.some((group) => group.accuracy < GROUP_TARGET) || leaks.length > 0;
  process.stdout.write(failed ? '\nTARGETS MISSED\n' : '\nAll targets met.\n');
  process.exit(failed ? 1 : 0);
}

main();
