import type { Database } from './database.js';

/** Delete expired oidc-provider rows and stale throttle counters. Safe to run on every replica at once. */
export async function deleteExpired(db: Database, now = new Date()): Promise<number> {
  const payloads = await db.query('DELETE FROM oidc_payloads WHERE expires_at < $1', [now]);
  // No throttle window is longer than a day.
  await db.query("DELETE FROM login_throttle WHERE window_start < $1::timestamptz - interval '1 day'", [now]);
  return payloads.rowCount ?? 0;
}

/** The bridge's own tables, whose rows are rewritten and deleted all day. */
const BUSY_TABLES = ['oidc_payloads', 'login_throttle', 'migration_ledger', 'hook_released_tokens'];

/**
 * Make the space of deleted and rewritten rows reusable. A PostgreSQL server's autovacuum does this; the
 * embedded database runs as a single session without background workers, so without this its files would
 * grow with every login. Returns the tables vacuumed.
 */
export async function vacuumEmbedded(db: Database): Promise<string[]> {
  if (db.kind !== 'embedded') return [];
  for (const table of BUSY_TABLES) await db.query(`VACUUM ${table}`);
  return BUSY_TABLES;
}

/**
 * Run the cleanup jobs, one after the other, every `intervalMs` until stopped, the first round soon after
 * start (a process restarted more often than the interval would otherwise never clean up). A round still
 * running when the next is due lets it pass; a failing job waits for the next round.
 */
export function scheduleCleanup(
  jobs: ReadonlyArray<() => Promise<unknown>>,
  intervalMs: number,
  onError: (error: unknown) => void,
  firstAfterMs = Math.min(intervalMs, 60_000),
): () => void {
  let running = false;
  const round = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (const job of jobs) await job().catch(onError);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(() => void round(), firstAfterMs);
  const timer = setInterval(() => void round(), intervalMs);
  first.unref();
  timer.unref();
  return () => {
    clearTimeout(first);
    clearInterval(timer);
  };
}
