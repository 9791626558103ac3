import type { Database } from './database.js';

/** Delete expired oidc-provider rows and stale throttle counters. Safe to run on every replica at once. */
export async function deleteExpired(db: Database, now = new Date()): Promise<number> {
  const payloads = await db.query('DELETE FROM oidc_payloads WHERE expires_at < $1', [now]);
  // No throttle window is longer than a day.
  await db.query("DELETE FROM login_throttle WHERE window_start < $1::timestamptz - interval '1 day'", [now]);
  return payloads.rowCount ?? 0;
}

/** Run `deleteExpired` every `intervalMs` until stopped; failures wait for the next round. */
export function scheduleCleanup(db: Database, intervalMs: number, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => {
    deleteExpired(db).catch(onError);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
