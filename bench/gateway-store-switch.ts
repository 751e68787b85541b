/**
 * The gateway with its real usage store behind a switch, for the benchmark only. A control server on its own port turns
 * recording on and off between rounds (`POST /store/on`, `POST /store/off`; the answer is the state). Off, a finished
 * request's record is built, logged and counted as always and then dropped; on, it goes to the store `automodel serve`
 * opens (journal write, batched SQLite insert).
 *
 * Why one process: what recording costs was measured as the difference between two gateway processes, one with a store
 * that kept nothing. Two processes differ by more than the store (their heaps, what V8 compiled and when), and the
 * question is one of a few percent. Switched in one process, the rounds with the store on and off share the same heap,
 * compiled code and history, and differ by the store's work alone.
 *
 *   node dist/bench/gateway-store-switch.js --port 0 [--store on|off]
 *
 * Reads providers and the store from the environment like `automodel serve`, and prints
 * `listening on <gateway url> control <control url>`.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { startGateway } from '../src/main.js';
import { openUsageStore, storeOptionsFromEnv, type UsageStore } from '../src/usage/store.js';

const { values } = parseArgs({
  options: { port: { type: 'string', default: '0' }, host: { type: 'string', default: '127.0.0.1' }, store: { type: 'string', default: 'on' } },
});
if (values.store !== 'on' && values.store !== 'off') throw new Error('--store takes on or off');

const store = await openUsageStore(storeOptionsFromEnv(process.env));
const RESOLVED = Promise.resolve();
let recording = values.store === 'on';
const switched: UsageStore = {
  backend: store.backend,
  record: (record) => (recording ? store.record(record) : RESOLVED),
  summarize: (query) => store.summarize(query),
  listRequests: (query) => store.listRequests(query),
  getRequest: (id) => store.getRequest(id),
  prune: (cutoffTime) => store.prune(cutoffTime),
  flush: () => store.flush(),
  close: () => store.close(),
};

const gateway = await startGateway({ host: values.host, port: Number(values.port), store: switched });
const control = createServer((request, response) => {
  if (request.method === 'POST' && (request.url === '/store/on' || request.url === '/store/off')) {
    // Records taken while on are moved into SQLite before the state changes, so none is left for an "off" round to pay.
    void store.flush().then(() => {
      recording = request.url === '/store/on';
      response.end(recording ? 'on' : 'off');
    });
    return;
  }
  response.statusCode = 404;
  response.end();
});
control.listen(0, values.host, () => {
  const address = control.address();
  const port = address !== null && typeof address === 'object' ? address.port : 0;
  console.log(`gateway (store switch) listening on ${gateway.url} control http://${values.host}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    control.close();
    void gateway.close().then(() => process.exit(0));
  });
}
