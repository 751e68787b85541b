/**
 * Child process for the crash test: records usage as fast as a gateway under load would, several
 * "requests" at a time, each awaiting its own `record()` and then printing its id (as a completed
 * response would be acknowledged). The parent kills it with SIGKILL mid-burst.
 *
 * Usage: node crash-writer.js <sqlite path | postgres URL> <schema or -> <concurrency>
 * The parent only counts ids it has read from the pipe, each printed after its record was acknowledged.
 */
import { openUsageStore, storeOptionsFromEnv } from '../../src/usage/store.js';
import { makeRecord } from './fixtures.js';

const [database = '', schema = '-', concurrencyText = '16'] = process.argv.slice(2);
const store = await openUsageStore({ ...storeOptionsFromEnv({}, database), ...(schema === '-' ? {} : { schema }) });
process.stdout.write('ready\n');

async function worker(workerId: number): Promise<never> {
  for (let sequence = 0; ; sequence += 1) {
    const record = makeRecord({ id: `crash-${workerId}-${sequence}`, time: Date.now() });
    await store.record(record);
    process.stdout.write(`${record.id}\n`);
    // A gateway does I/O between requests; so does this loop, which also lets stdout drain into the pipe. (The SQLite
    // store acknowledges from its journal at once, so the `await` above alone would only run microtasks.) An id still
    // buffered here when the kill comes is simply never reported, so the check stays conservative.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

await Promise.all(Array.from({ length: Number(concurrencyText) }, (_, index) => worker(index)));
