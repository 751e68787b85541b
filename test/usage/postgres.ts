/**
 * PostgreSQL for tests: the server on 127.0.0.1:5432 (database `test`, trust auth), or
 * `AUTOMODEL_TEST_DATABASE_URL`. Each test run works in schemas of its own and drops them, so parallel
 * runs never clash. An unreachable server fails the run with a clear message: these tests never skip.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const TEST_DATABASE_URL = process.env.AUTOMODEL_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** A schema name unique to this process and call. */
export function uniqueSchemaName(label: string): string {
  return `automodel_${label}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

/** Throws a readable error if the test server cannot be reached. */
export async function assertPostgresReachable(): Promise<void> {
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not reachable at ${TEST_DATABASE_URL} (${error instanceof Error ? error.message : String(error)}). ` +
        'The PostgreSQL store tests need it: start the server (CI does) or set AUTOMODEL_TEST_DATABASE_URL.',
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Drop the given schemas and everything in them. */
export async function dropSchemas(names: Iterable<string>): Promise<void> {
  const list = [...names];
  if (list.length === 0) return;
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  try {
    for (const name of list) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`);
  } finally {
    await client.end();
  }
}
