/**
 * Numbered schema migrations for the usage store, shared by both backends.
 *
 * They are TypeScript modules exporting SQL strings rather than `.sql` files because `tsc` copies no
 * `.sql` files into `dist/`. Rules: never edit a migration that has shipped; add the next number instead.
 * SQLite tracks the applied version in `PRAGMA user_version`; PostgreSQL in the `automodel_migrations` table.
 */
import { migration001 } from './001-usage-records.js';
import { migration002 } from './002-lean-indexes.js';
import { migration003 } from './003-record-data.js';

/** One schema step, written once per dialect. Each runs in its own transaction. */
export interface Migration {
  /** 1, 2, 3…: applied in order, each exactly once. */
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003];

/** The schema version a fully migrated database has. */
export const LATEST_SCHEMA_VERSION: number = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
