import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestListener, Server } from 'node:http';
import pg from 'pg';

/**
 * The database of one bench server: a schema of its own on the server when DATABASE_URL is set (two
 * servers measured side by side must not share the ledger or the provider's rows), else an embedded data
 * folder, as deployed. `remove()` drops it again when the server stops.
 */
export async function benchDatabase(): Promise<{ url: string; dataDir: string; remove: () => Promise<void> }> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    const dataDir = mkdtempSync(join(tmpdir(), 'bench-bridge-'));
    return { url: '', dataDir, remove: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const schema = `bench_${process.pid}_${Date.now()}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE SCHEMA ${schema}`);
  const scoped = new URL(url);
  scoped.searchParams.set('options', `-c search_path=${schema}`);
  return { url: scoped.href, dataDir: '', remove: () => admin(`DROP SCHEMA ${schema} CASCADE`) };
}

/** Serve provider requests, say READY, and on SIGTERM close the database and remove its data. */
export function serveUntilStopped(server: Server, handler: RequestListener, issuer: string, close: () => Promise<void>): void {
  server.on('request', handler);
  console.log(`READY ${issuer}`);
  process.on('SIGTERM', async () => {
    await close();
    process.exit(0);
  });
}
