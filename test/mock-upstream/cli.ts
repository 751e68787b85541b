/**
 * Runs the mock upstream by hand or from the benchmark:
 *   node dist/test/mock-upstream/cli.js [--port 4200] [--host 127.0.0.1] [--api-key KEY] [--record N]
 * Prints `mock upstream listening on http://127.0.0.1:PORT` once ready (the benchmark reads that line), and stops on
 * SIGINT/SIGTERM. Calls are not recorded unless `--record N` asks for it, so long load runs keep a flat memory profile.
 */
import { parseArgs } from 'node:util';
import { startMockUpstream } from './index.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '4200' },
      host: { type: 'string', default: '127.0.0.1' },
      'api-key': { type: 'string' },
      record: { type: 'string', default: '0' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log('usage: node dist/test/mock-upstream/cli.js [--port 4200] [--host 127.0.0.1] [--api-key KEY] [--record N]');
    return;
  }
  const port = Number(values.port);
  const recordLimit = Number(values.record);
  if (!Number.isInteger(port) || port < 0 || !Number.isInteger(recordLimit) || recordLimit < 0) {
    console.error('mock upstream: --port and --record take whole numbers');
    process.exitCode = 2;
    return;
  }
  const mock = await startMockUpstream({
    port,
    host: values.host,
    recordLimit,
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
