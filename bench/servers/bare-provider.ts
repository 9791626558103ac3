// Baseline: a bare oidc-provider (in-memory adapter) doing the same flow with a plain password check,
// or a bare bcrypt.compare when HASH=bcrypt. Prints "READY <issuer>" when listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import bcrypt from 'bcrypt';
import Provider, { interactionPolicy } from 'oidc-provider';
import getRawBody from 'raw-body';
import { serveUntilStopped } from './lifecycle.js';

const { CLIENT_ID = 'bench', CLIENT_SECRET = 'bench-secret', REDIRECT_URI = 'https://rp.example/cb', PASSWORD = 'bench-password', HASH = 'plain' } = process.env;
const bcryptHash = HASH === 'bcrypt' ? await bcrypt.hash(PASSWORD, 10) : '';

const server = createServer();
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const policy = interactionPolicy.base();
const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
selectAccount.checks.clear();
policy.add(selectAccount, 0);

const provider = new Provider(issuer, {
  clients: [{ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, redirect_uris: [REDIRECT_URI], response_types: ['code'], grant_types: ['authorization_code'] }],
  cookies: { keys: ['bench-cookie-key'] },
  scopes: ['openid', 'profile', 'email'],
  claims: { openid: ['sub'], profile: ['given_name', 'family_name'], email: ['email'] },
  features: { devInteractions: { enabled: false } },
  interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  findAccount: async (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub, given_name: 'Bench', family_name: 'User', email: 'bench@example.com' }) }),
  async loadExistingGrant(ctx) {
    const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId! });
    grant.addOIDCScope('openid profile email');
    await grant.save();
    return grant;
  },
});
provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = `<form method="post" action="/interaction/${details.uid}/login"><input name="login"><input name="password" type="password"><button>Sign in</button></form>`;
    return;
  }
  const form = new URLSearchParams(await getRawBody(ctx.req, { limit: 16384, encoding: 'utf8' }));
  const password = form.get('password') ?? '';
  const ok = HASH === 'bcrypt' ? await bcrypt.compare(password, bcryptHash) : password === PASSWORD;
  if (!ok) {
    ctx.status = 401;
    return;
  }
  await provider.interactionFinished(ctx.req, ctx.res, { login: { accountId: '1' } }, { mergeWithLastSubmission: false });
});
serveUntilStopped(server, provider.callback(), issuer, async () => {});
