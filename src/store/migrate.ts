import { readFileSync, readdirSync } from 'node:fs';
import type { Database } from './database.js';

const MIGRATIONS_DIR = new URL('./migrations/', import.meta.url);
// Replicas starting together take turns; the number is arbitrary but fixed.
const MIGRATION_LOCK = 7_412_993;

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

/** The SQL files `NNN_name.sql` in version order. */
export function listMigrations(): Migration[] {
  return readdirSync(MIGRATIONS_DIR)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({
      version: Number(file.slice(0, 3)),
      name: file.slice(4, -4),
      sql: readFileSync(new URL(file, MIGRATIONS_DIR), 'utf8'),
    }));
}

/** Where each migration is reported before it runs: a long one holds up the start, and should say so. */
export interface MigrationLog {
  info(fields: { version: number; name: string }, message: string): void;
}

/** Apply every migration not applied yet, each in its own transaction. Returns the versions applied. */
export async function migrate(db: Database, log?: MigrationLog): Promise<number[]> {
  // No query timeout: a migration cut short would be retried, and cut short, at every start.
  return db.dedicated ? db.dedicated((connection) => apply(connection, log)) : apply(db, log);
}

async function apply(db: Pick<Database, 'transaction'>, log: MigrationLog | undefined): Promise<number[]> {
  // Under the lock too: two sessions creating the same table at once collide in PostgreSQL's catalog.
  await db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
    await tx.query(`CREATE TABLE IF NOT EXISTS bridge_schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
  });
  const applied: number[] = [];
  for (const migration of listMigrations()) {
    const done = await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const seen = await tx.query('SELECT 1 FROM bridge_schema_migrations WHERE version = $1', [migration.version]);
      if (seen.rowCount) return false;
      log?.info({ version: migration.version, name: migration.name }, 'applying database migration');
      await tx.query(migration.sql);
      await tx.query('INSERT INTO bridge_schema_migrations (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
