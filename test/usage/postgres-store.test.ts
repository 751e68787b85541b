/** The store contract against the real PostgreSQL server, each store in a schema of its own. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../src/usage/migrations/index.js';
import { openUsageStore } from '../../src/usage/store.js';
import { migrationRecords, version2Row, VERSION_2_COLUMNS } from './fixtures.js';
import { runStoreContract } from './store-contract.js';
import { assertPostgresReachable, dropSchemas, TEST_DATABASE_URL, uniqueSchemaName } from './postgres.js';

const schemas = new Set<string>();
const sharedSchema = uniqueSchemaName('shared');
schemas.add(sharedSchema);

describe('PostgreSQL usage store', () => {
  before(assertPostgresReachable);
  after(() => dropSchemas(schemas));

  runStoreContract({
    openFresh: (options) => {
      const schema = uniqueSchemaName('fresh');
      schemas.add(schema);
      return openUsageStore({ ...options, databaseUrl: TEST_DATABASE_URL, schema });
    },
    openShared: () => openUsageStore({ databaseUrl: TEST_DATABASE_URL, schema: sharedSchema }),
  });

  it('records the migrations once even when instances open concurrently', async () => {
    const schema = uniqueSchemaName('concurrent');
    schemas.add(schema);
    const stores = await Promise.all(
      Array.from({ length: 4 }, () => openUsageStore({ databaseUrl: TEST_DATABASE_URL, schema })),
    );
    await Promise.all(stores.map((store) => store.close()));
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    try {
      const result = await client.query<{ version: number }>(`SELECT version FROM "${schema}".automodel_migrations ORDER BY version`);
      assert.deepEqual(
        result.rows.map((row) => row.version),
        Array.from({ length: LATEST_SCHEMA_VERSION }, (_, index) => index + 1),
      );
    } finally {
      await client.end();
    }
  });

  it('upgrades a version-2 schema to the data column: every record reads back exactly as it was written', async () => {
    const schema = uniqueSchemaName('version2');
    schemas.add(schema);
    const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await client.connect();
    const records = migrationRecords();
    try {
      await client.query(`CREATE SCHEMA "${schema}"; SET search_path TO "${schema}"`);
      await client.query('CREATE TABLE automodel_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
      for (const migration of MIGRATIONS.filter((entry) => entry.version <= 2)) {
        await client.query(migration.postgres);
        await client.query('INSERT INTO automodel_migrations VALUES ($1, $2, 0)', [migration.version, migration.name]);
      }
      const placeholders = VERSION_2_COLUMNS.map((_column, index) => `$${index + 1}`).join(', ');
      for (const record of records) {
        await client.query(`INSERT INTO usage_records (${VERSION_2_COLUMNS.join(', ')}) VALUES (${placeholders})`, version2Row(record, Boolean));
      }
    } finally {
      await client.end();
    }
    const store = await openUsageStore({ databaseUrl: TEST_DATABASE_URL, schema });
    try {
      for (const record of records) assert.deepEqual(await store.getRequest(record.id), record);
      const [total] = await store.summarize({ by: 'total' });
      assert.equal(total?.requests, 3);
    } finally {
      await store.close();
    }
  });

  it('says clearly when the server cannot be reached', async () => {
    await assert.rejects(
      openUsageStore({ databaseUrl: 'postgres://postgres@127.0.0.1:1/test' }),
      /cannot open the PostgreSQL usage store/,
    );
  });
});
