/**
 * The gateway with its usage store swapped for one that keeps nothing, for the benchmark only: the difference between
 * this and the real gateway in the same run is what recording usage costs a request (journal write, batched SQLite
 * insert, row building). Everything else (routing, metrics, logs, relay) is the same code.
 *
 *   node dist/bench/gateway-store-off.js --port 0
 *
 * Reads providers from the environment like `automodel serve` and prints the same `listening on` line.
 */
import { parseArgs } from 'node:util';
import { startGateway } from '../src/main.js';
import type { UsageStore } from '../src/usage/store.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' } } });

const discard: UsageStore = {
  backend: 'sqlite',
  record: async () => {},
  summarize: async () => [],
  listRequests: async () => [],
  getRequest: async () => null,
  prune: async () => 0,
  flush: async () => {},
  close: async () => {},
};

const gateway = await startGateway({ host: values.host, port: Number(values.port), store: discard });
console.log(`gateway (store off) listening on ${gateway.url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void gateway.close().then(() => process.exit(0));
  });
}
