import { Counter, Registry, collectDefaultMetrics } from 'prom-client';

/** The bridge's Prometheus metrics, in their own registry so several bridges in one process do not clash. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const logins = new Counter({
    name: 'legacy_bridge_logins_total',
    help: 'Login attempts at the bridge by outcome: success, failure (any reason: one label, so the count tells no one which names exist) or throttled.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return { registry, logins };
}

export type Metrics = ReturnType<typeof createMetrics>;
