import type { Database } from './database.js';

/** Delete expired oidc-provider rows and stale throttle counters. Safe to run on every replica at once. */
export async function deleteExpired(db: Database, now = new Date()): Promise<number> {
  const payloads = await db.query('DELETE FROM oidc_payloads WHERE expires_at < $1', [now]);
  // No throttle window is longer than a day.
  await db.query("DELETE FROM login_throttle WHERE window_start < $1::timestamptz - interval '1 day'", [now]);
  return payloads.rowCount ?? 0;
}

/** Run the cleanup jobs every `intervalMs` until stopped; a failing job waits for the next round. */
export function scheduleCleanup(jobs: ReadonlyArray<() => Promise<unknown>>, intervalMs: number, onError: (error: unknown) => void): () => void {
  const timer = setInterval(() => {
    for (const job of jobs) job().catch(onError);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
