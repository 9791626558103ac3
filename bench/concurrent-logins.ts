// Many concurrent logins on bcrypt cost 10: the bridge's full-flow throughput against what the machine's
// cores give bare bcrypt.compare, while /healthz is probed every 50 ms (the event loop must stay free).
//   npm run bench:logins [-- --seconds 15 --concurrency 32]
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { measureFlows, type Target } from './load.js';
import { startScript, stop } from './spawn.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '15' }, concurrency: { type: 'string', default: '32' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const cores = availableParallelism();
const common = { CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret', REDIRECT_URI: 'https://rp.example/cb', PASSWORD: 'bench-password' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Probe `/healthz` every 50 ms until stopped; returns the latencies in ms. */
function probeHealth(issuer: string): { stop: () => Promise<number[]> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await (await fetch(`${issuer}/healthz`)).arrayBuffer();
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return latencies.sort((a, b) => a - b);
    },
  };
}

// Bare bcrypt.compare with one call per core (more only queue on libuv's pool), in its own process.
const bare = await startScript('bench/servers/bcrypt-compare.ts', { CONCURRENCY: String(cores), SECONDS: String(seconds) }, 'RESULT');
await stop(bare.child);
const bareRate = Number(bare.value);

const { child, value: issuer } = await startScript('bench/servers/bridge.ts', { ...common, HASH: 'bcrypt' }, 'READY');
try {
  const target: Target = { issuer, clientId: common.CLIENT_ID, clientSecret: common.CLIENT_SECRET, redirectUri: common.REDIRECT_URI, username: 'bench', password: common.PASSWORD };
  const probe = probeHealth(issuer);
  const { perSecond, errors } = await measureFlows(target, concurrency, seconds);
  const latencies = await probe.stop();
  console.log(`bcrypt cost 10, ${concurrency} concurrent logins, ${cores} cores, ${seconds} s; bridge database: ${process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite'}`);
  console.log(`bare bcrypt.compare (${cores} at a time) ${bareRate.toFixed(1)}/s   bridge ${perSecond.toFixed(1)} logins/s (${errors} answered busy or failed)   ratio ${(perSecond / bareRate).toFixed(2)} (target ≥ 0.90)`);
  console.log(
    `/healthz during the load: p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms, max ${latencies[latencies.length - 1]?.toFixed(1)} ms over ${latencies.length} probes (target < 50 ms)`,
  );
} finally {
  await stop(child);
}
