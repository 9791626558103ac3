import Router from '@koa/router';
import type { LegacyDirectory } from '../legacy/directory.js';
import type { Database } from '../store/database.js';
import type { Metrics } from './metrics.js';

const CHECK_TIMEOUT_MS = 2000;

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * `/healthz`: the process answers and can go on (it fails for good only when the embedded database died).
 * `/readyz`: both databases answer. `/metrics`: Prometheus.
 */
export function healthRoutes(db: Database, directory: LegacyDirectory, metrics: Metrics): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    // The process answers, but without its embedded database it never will again: a restart is the cure.
    const broken = db.broken?.();
    ctx.status = broken ? 503 : 200;
    ctx.body = broken ? { status: 'failed', reason: 'the embedded database stopped; restart the bridge' } : { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    ctx.set('Cache-Control', 'no-store');
    const checks = await Promise.allSettled([
      withTimeout(db.query('SELECT 1'), CHECK_TIMEOUT_MS),
      withTimeout(directory.ping(), CHECK_TIMEOUT_MS),
    ]);
    const [bridge, legacy] = checks.map((c) => (c.status === 'fulfilled' ? 'ok' : 'unavailable'));
    ctx.status = bridge === 'ok' && legacy === 'ok' ? 200 : 503;
    ctx.body = { status: ctx.status === 200 ? 'ok' : 'unavailable', bridgeDatabase: bridge, legacyDatabase: legacy };
  });
  router.get('/metrics', async (ctx) => {
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}
