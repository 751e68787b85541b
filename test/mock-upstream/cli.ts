/**
 * Runs the mock upstream by hand or from the benchmark:
 *   node dist/test/mock-upstream/cli.js [--port 4200] [--host 127.0.0.1] [--api-key KEY] [--record N] [--fault-rate 0.2]
 * Prints `mock upstream listening on http://127.0.0.1:PORT` once ready (the benchmark reads that line), and stops on
 * SIGINT/SIGTERM. `--fault-rate R` fails that fraction of calls before the first token (see `random-faults.ts`). Calls are not recorded unless `--record N` asks for it, so long load runs keep a flat memory profile.
 */
import { parseArgs } from 'node:util';
import { startMockUpstream } from './index.js';
import { createRandomFaults } from './random-faults.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4200' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      record: { type: 'string', default: '0' },
      'fault-rate': { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node dist/test/mock-upstream/cli.js [--port 4200] [--host 127.0.0.1] [--api-key KEY] [--record N] [--fault-rate 0..1]');
    return;
  }
  const port = Number(values.port);
  const recordLimit = Number(values.record);
  const faultRate = Number(values['fault-rate']);
  if (!Number.isInteger(port) || port < 0 || !Number.isInteger(recordLimit) || recordLimit < 0) {
    console.error('mock upstream: --port and --record take whole numbers');
    process.exitCode = 2;
    return;
  }
  if (!(faultRate >= 0 && faultRate <= 1)) {
    console.error('mock upstream: --fault-rate takes a number from 0 to 1');
    process.exitCode = 2;
    return;
  }
  const faults = faultRate > 0 ? createRandomFaults({ rate: faultRate }) : undefined;
  const mock = await startMockUpstream({
    port,
    host: values.host,
    recordLimit,
    ...(faults ? { scriptFor: () => faults.scriptFor() } : {}),
    ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
  });
  console.log(`mock upstream listening on ${mock.url}`);
  const stop = (): void => {
    void mock.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
