// The post-login hook at a fixed request rate: latency (p50/p99) and throughput with the signature and
// token checks, against the same endpoint with the checks off, in the same run. Each call is a first-time
// user, so every call releases a hash (the real work, not a cheap refusal).
//   npm run bench:hook [-- --rate 200 --seconds 8 --rounds 3]
import { createHmac } from 'node:crypto';
import { Agent, request } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startScript, stop } from './spawn.js';

const { values } = parseArgs({ options: { rate: { type: 'string', default: '200' }, seconds: { type: 'string', default: '8' }, rounds: { type: 'string', default: '3' } } });
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);
const key = 'bench-signing-key';
const WARM_UP = 400;
const users = rate * seconds + WARM_UP;

function envelope(sub: string, token: string): string {
  return JSON.stringify({
    fullMethod: '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent',
    instanceID: 'bench',
    orgID: 'bench-org',
    request: { idpIntentId: `intent-${sub}`, idpIntentToken: 'x' },
    response: {
      details: { sequence: '1', changeDate: new Date().toISOString(), resourceOwner: 'bench-org' },
      idpInformation: { idpId: 'bench-idp', userId: sub, userName: `user${sub}`, rawInformation: { sub }, oauth: { accessToken: token, idToken: 'x' } },
      addHumanUser: {
        username: `user${sub}`,
        organization: { orgId: 'bench-org' },
        profile: { givenName: 'Bench', familyName: `User ${sub}` },
        email: { email: `user${sub}@example.com`, sendCode: {} },
        idpLinks: [{ idpId: 'bench-idp', userId: sub, userName: `user${sub}` }],
      },
    },
  });
}

// A lean keep-alive HTTP client, as ZITADEL's own is: the latency measured is the bridge's, not the client's.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function post(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Start `count` calls on schedule at `rate` per second, whether or not earlier ones have finished (open loop). */
async function openLoop(count: number, call: (i: number) => Promise<unknown>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const wait = started + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    pending.push(call(i));
  }
  await Promise.all(pending);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function run(checks: 'on' | 'off'): Promise<{ p50: number; p99: number; max: number; done: number; failures: number; seconds: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'bench-hook-')), 'tokens.json');
  const { child, value: issuer } = await startScript('bench/servers/hook.ts', { CHECKS: checks, USERS: String(users), SIGNING_KEY: key, TOKENS_FILE: file }, 'READY');
  try {
    const tokens = JSON.parse(readFileSync(file, 'utf8')) as Array<{ sub: string; token: string }>;
    const url = `${issuer}/hooks/zitadel/idp-intent`;
    const call = async (i: number) => {
      const { sub, token } = tokens[i % tokens.length]!;
      const body = envelope(sub, token);
      const t = Math.floor(Date.now() / 1000);
      const signature = createHmac('sha256', key).update(`${t}.${body}`).digest('hex');
      const started = performance.now();
      const { status, text } = await post(url, body, { 'content-type': 'application/json', 'zitadel-signature': `t=${t},v1=${signature}` });
      return { ms: performance.now() - started, ok: status === 200 && text.includes('hashedPassword') };
    };
    // Warm-up at the same rate (JIT, prepared statements, pools) on users the measurement does not use.
    await openLoop(WARM_UP, (i) => call(rate * seconds + i));
    const latencies: number[] = [];
    let failures = 0;
    const started = performance.now();
    await openLoop(rate * seconds, (i) =>
      call(i).then(
        (r) => {
          latencies.push(r.ms);
          if (!r.ok) failures += 1;
        },
        () => {
          failures += 1;
        },
      ),
    );
    const elapsed = (performance.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    return { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] ?? NaN, done: latencies.length, failures, seconds: elapsed };
  } finally {
    await stop(child);
  }
}

const database = process.env.DATABASE_URL ? 'PostgreSQL server (DATABASE_URL)' : 'embedded PGlite (data folder)';
console.log(`Hook at ${rate} requests/s, ${rounds} alternating rounds of ${seconds} s (medians), each call releasing a hash; bridge database: ${database}`);
const results = { off: [] as Awaited<ReturnType<typeof run>>[], on: [] as Awaited<ReturnType<typeof run>>[] };
for (let round = 0; round < rounds; round += 1) {
  for (const checks of ['off', 'on'] as const) results[checks].push(await run(checks));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
for (const checks of ['off', 'on'] as const) {
  const r = results[checks];
  console.log(
    `checks ${checks.padEnd(3)}  ${median(r.map((x) => x.done / x.seconds)).toFixed(0)} req/s  p50 ${median(r.map((x) => x.p50)).toFixed(2)} ms  p99 ${median(r.map((x) => x.p99)).toFixed(2)} ms (rounds: ${r.map((x) => x.p99.toFixed(1)).join(', ')})  max ${Math.max(...r.map((x) => x.max)).toFixed(1)} ms  failures ${r.reduce((n, x) => n + x.failures, 0)}`,
  );
}
console.log('target: p99 under 10 ms at 200 requests/s with the checks on');
