/**
 * Soak run, loopback only: a real gateway with `anthropic` and `openrouter` both on a mock that fails 20 % of upstream
 * calls before the first token; 64 streaming clients send 10,000 requests, and every one must succeed through fallback.
 * Prints requests, injected failures, client errors, p50/p99 latency, the attempts histogram, and RSS / heap after GC /
 * open sockets at start, after warm-up, half-way and at the end. Exits 1 on any client error or heap growth past the limit.
 *
 *   node --expose-gc dist/scripts/soak.js [--requests 10000] [--concurrency 64] [--fault-rate 0.2] [--seed 1]
 *     [--first-byte-timeout-ms 250] [--max-heap-growth-mb 16] [--gateway-defaults]
 *
 * The gateway runs with `fallback: {retries: 4, breaker: {failureThreshold: 50}}` (see `SOAK_FALLBACK` for why);
 * `--gateway-defaults` runs it with no config file instead, to see what the defaults do under the same faults.
 */
import { parseArgs } from 'node:util';
import { heapGrowthMb, renderSoakReport, runSoak } from '../test/durability/soak-run.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '10000' },
      concurrency: { type: 'string', default: '64' },
      'fault-rate': { type: 'string', default: '0.2' },
      seed: { type: 'string', default: '1' },
      'first-byte-timeout-ms': { type: 'string', default: '250' },
      'max-heap-growth-mb': { type: 'string', default: '16' },
      'gateway-defaults': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(
      'usage: node --expose-gc dist/scripts/soak.js [--requests N] [--concurrency N] [--fault-rate 0..1] [--seed N] [--first-byte-timeout-ms MS] [--max-heap-growth-mb MB] [--gateway-defaults]',
    );
    return;
  }
  const numbers = {
    requests: Number(values.requests),
    concurrency: Number(values.concurrency),
    faultRate: Number(values['fault-rate']),
    seed: Number(values.seed),
    firstByteTimeoutMs: Number(values['first-byte-timeout-ms']),
    maxHeapGrowthMb: Number(values['max-heap-growth-mb']),
  };
  if (
    !Number.isInteger(numbers.requests) || numbers.requests < 1 ||
    !Number.isInteger(numbers.concurrency) || numbers.concurrency < 1 ||
    !(numbers.faultRate >= 0 && numbers.faultRate < 1) ||
    !Number.isFinite(numbers.seed) || !(numbers.firstByteTimeoutMs > 0) || !(numbers.maxHeapGrowthMb > 0)
  ) {
    console.error('soak: --requests and --concurrency take positive whole numbers, --fault-rate a number in [0, 1)');
    process.exitCode = 2;
    return;
  }
  const report = await runSoak({ ...numbers, ...(values['gateway-defaults'] ? { fallback: null } : {}), log: (line) => console.error(line) });
  console.log(renderSoakReport(report));
  const growth = heapGrowthMb(report);
  let failed = false;
  if (report.clientErrors > 0) {
    failed = true;
    console.log(`\nFAIL: ${report.clientErrors} client errors:`);
    for (const example of report.errorExamples) {
      console.log(`- ${example.kind} status ${example.status} after ${example.latencyMs.toFixed(0)} ms${example.transportError ? ` (${example.transportError})` : ''}: ${example.storedAttempts}`);
    }
  }
  if (growth > numbers.maxHeapGrowthMb) {
    failed = true;
    console.log(`\nFAIL: heap grew ${growth.toFixed(2)} MB from warm-up to the end (limit ${numbers.maxHeapGrowthMb} MB)`);
  }
  if (!failed) console.log('\nOK: every request succeeded through fallback; no heap growth past the limit.');
  process.exitCode = failed ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(`soak failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
