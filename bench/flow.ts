// Full-flow throughput of the bridge against a bare oidc-provider doing the same flow, and with bcrypt cost
// 10 against bare bcrypt.compare at the same concurrency. Each side runs in its own process; rounds
// alternate between the sides and the median round counts, so a noisy neighbour hits both alike.
//   npm run bench:flow [-- --seconds 8 --rounds 3 --concurrency 8]
import type { ChildProcess } from 'node:child_process';
import { parseArgs } from 'node:util';
import { measureFlows, type Target } from './load.js';
import { startScript, stop } from './spawn.js';

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' }, concurrency: { type: 'string', default: '8' } },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const common = { CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret', REDIRECT_URI: 'https://rp.example/cb', PASSWORD: 'bench-password' };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Side {
  readonly name: string;
  measure(): Promise<number>;
  close(): Promise<void>;
}

async function server(script: string, hash: string, extra: Record<string, string> = {}): Promise<Side> {
  const { child, value: issuer } = await startScript(script, { ...common, HASH: hash, ...extra }, 'READY');
  const target: Target = { issuer, clientId: common.CLIENT_ID, clientSecret: common.CLIENT_SECRET, redirectUri: common.REDIRECT_URI, username: 'bench', password: common.PASSWORD };
  return {
    name: script,
    async measure() {
      const { perSecond, errors } = await measureFlows(target, concurrency, seconds);
      if (errors) console.error(`${script}: ${errors} failed flows`);
      return perSecond;
    },
    close: () => stop(child as ChildProcess),
  };
}

function bareBcrypt(): Side {
  return {
    name: 'bcrypt.compare',
    async measure() {
      const { child, value } = await startScript('bench/servers/bcrypt-compare.ts', { CONCURRENCY: String(concurrency), SECONDS: String(seconds) }, 'RESULT');
      await stop(child);
      return Number(value);
    },
    close: async () => {},
  };
}

/** Alternate rounds over the sides; the median of each. */
async function compare(sides: Side[]): Promise<number[]> {
  const results = sides.map(() => [] as number[]);
  for (let round = 0; round < rounds; round += 1) {
    for (const [i, side] of sides.entries()) results[i]!.push(await side.measure());
  }
  for (const side of sides) await side.close();
  return results.map(median);
}

const database = process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite (data folder)';
console.log(`Full flow: authorize(select_account) → login → code → token → userinfo; ${concurrency} at a time; ${rounds} alternating rounds of ${seconds} s, medians; bridge database: ${database}`);

const [bareCheap, bridgeCheap, bridgeMemory] = await compare([
  await server('bench/servers/bare-provider.ts', 'plain'),
  await server('bench/servers/bridge.ts', 'plain'),
  await server('bench/servers/bridge.ts', 'plain', { STORAGE: 'memory' }),
]);
console.log(`cheap hash   bare provider ${bareCheap!.toFixed(1)} flows/s   bridge ${bridgeCheap!.toFixed(1)} flows/s   ratio ${(bridgeCheap! / bareCheap!).toFixed(2)} (target ≥ 0.70, and ≥ 100 flows/s)`);
console.log(`             the bridge with the provider's state in memory (what storage costs): ${bridgeMemory!.toFixed(1)} flows/s, ratio ${(bridgeMemory! / bareCheap!).toFixed(2)}`);

const [compareRate, bareProvider, bridgeBcrypt] = await compare([
  bareBcrypt(),
  await server('bench/servers/bare-provider.ts', 'bcrypt'),
  await server('bench/servers/bridge.ts', 'bcrypt'),
]);
console.log(`bcrypt 10    bare bcrypt.compare ${compareRate!.toFixed(1)}/s   bare provider ${bareProvider!.toFixed(1)} flows/s   bridge ${bridgeBcrypt!.toFixed(1)} flows/s`);
console.log(
  `             bridge / bcrypt.compare ${(bridgeBcrypt! / compareRate!).toFixed(2)} (target ≥ 0.90)   bare provider / bcrypt.compare ${(bareProvider! / compareRate!).toFixed(2)}   bridge / bare provider ${(bridgeBcrypt! / bareProvider!).toFixed(2)}`,
);
