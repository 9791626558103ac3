// Full-flow throughput of the bridge against a bare oidc-provider doing the same flow, in the same run,
// and with bcrypt cost 10 against bare bcrypt.compare at the same concurrency.
//   npm run bench:flow [-- --seconds 10 --concurrency 8]
import { parseArgs } from 'node:util';
import { measureFlows, type Target } from './load.js';
import { startScript, stop } from './spawn.js';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, concurrency: { type: 'string', default: '8' } } });
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const common = { CLIENT_ID: 'bench', CLIENT_SECRET: 'bench-secret', REDIRECT_URI: 'https://rp.example/cb', PASSWORD: 'bench-password' };

async function flowsPerSecond(script: string, hash: string): Promise<number> {
  const { child, value: issuer } = await startScript(script, { ...common, HASH: hash }, 'READY');
  try {
    const target: Target = { issuer, clientId: common.CLIENT_ID, clientSecret: common.CLIENT_SECRET, redirectUri: common.REDIRECT_URI, username: 'bench', password: common.PASSWORD };
    const { perSecond, errors } = await measureFlows(target, concurrency, seconds);
    if (errors) console.error(`${script}: ${errors} failed flows`);
    return perSecond;
  } finally {
    await stop(child);
  }
}

const database = process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite';
console.log(`Full flow: authorize(select_account) → login → code → token → userinfo; ${concurrency} at a time, ${seconds} s each; bridge database: ${database}`);

const bareCheap = await flowsPerSecond('bench/servers/bare-provider.ts', 'plain');
const bridgeCheap = await flowsPerSecond('bench/servers/bridge.ts', 'plain');
console.log(`cheap hash   bare provider ${bareCheap.toFixed(1)} flows/s   bridge ${bridgeCheap.toFixed(1)} flows/s   ratio ${(bridgeCheap / bareCheap).toFixed(2)} (target ≥ 0.70, and ≥ 100 flows/s)`);

const { child, value } = await startScript('bench/servers/bcrypt-compare.ts', { CONCURRENCY: String(concurrency), SECONDS: String(seconds) }, 'RESULT');
await stop(child);
const bareBcrypt = Number(value);
const bareProviderBcrypt = await flowsPerSecond('bench/servers/bare-provider.ts', 'bcrypt');
const bridgeBcrypt = await flowsPerSecond('bench/servers/bridge.ts', 'bcrypt');
console.log(`bcrypt 10    bare bcrypt.compare ${bareBcrypt.toFixed(1)}/s   bare provider ${bareProviderBcrypt.toFixed(1)} flows/s   bridge ${bridgeBcrypt.toFixed(1)} flows/s`);
console.log(`             bridge / bcrypt.compare ${(bridgeBcrypt / bareBcrypt).toFixed(2)} (target ≥ 0.90)   bridge / bare provider ${(bridgeBcrypt / bareProviderBcrypt).toFixed(2)}`);
