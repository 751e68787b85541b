/**
 * Child process for the crash test: records usage as fast as a gateway under load would, several
 * "requests" at a time, each awaiting its own `record()` and then printing its id (as a completed
 * response would be acknowledged). The parent kills it with SIGKILL mid-burst.
 *
 * Usage: node crash-writer.js <sqlite path | postgres URL> <schema or -> <concurrency>
 * Ids are printed with a synchronous write, so a printed id has left the process before the next record.
 */
import { writeSync } from 'node:fs';
import { openUsageStore, storeOptionsFromEnv } from '../../src/usage/store.js';
import { makeRecord } from './fixtures.js';

const [database = '', schema = '-', concurrencyText = '16'] = process.argv.slice(2);
const store = await openUsageStore({ ...storeOptionsFromEnv({}, database), ...(schema === '-' ? {} : { schema }) });
process.stdout.write('ready\n');

async function worker(workerId: number): Promise<never> {
  for (let sequence = 0; ; sequence += 1) {
    const record = makeRecord({ id: `crash-${workerId}-${sequence}`, time: Date.now() });
    await store.record(record);
    // writeSync: the id has left the process before the next record, even if this loop never yields to the event loop
    // (the SQLite store acknowledges from its journal at once, so `await` here only runs microtasks).
    writeSync(1, `${record.id}\n`);
  }
}

await Promise.all(Array.from({ length: Number(concurrencyText) }, (_, index) => worker(index)));
