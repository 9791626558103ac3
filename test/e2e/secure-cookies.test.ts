import test from 'ava';
import { Browser, formOf } from '../support/browser.js';
import { CLIENT_ID, startTestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS } from '../support/legacy-users.js';
import { ZITADEL_CALLBACK } from '../support/relying-party.js';

test.after.always(closeDatabases);

/** A whole login over plain HTTP, as a TLS-terminating proxy that is not trusted passes it on; every Set-Cookie line on the way. */
async function cookiesOfLogin(issuer: string): Promise<string[]> {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_cookies');
  await createLegacyTable(db, table, STANDARD_USERS);
  // trustProxy stays off (the default): the bridge cannot know the browser spoke TLS.
  const bridge = await startTestBridge({ db, legacy: legacySection(table), adjust: (raw) => void (raw.issuer = issuer) });
  try {
    const origin = bridge.issuer; // where the test reaches it: plain HTTP
    const browser = new Browser(origin);
    const seen: string[] = [];
    const step = async (response: Promise<Response>) => {
      const answer = await response;
      seen.push(...answer.headers.getSetCookie());
      return answer;
    };
    const here = (location: string) => {
      const url = new URL(location, origin);
      return new URL(`${url.pathname}${url.search}`, origin);
    };
    const query = new URLSearchParams({ client_id: CLIENT_ID, response_type: 'code', scope: 'openid', redirect_uri: ZITADEL_CALLBACK, state: 'state', prompt: 'select_account' });
    const authorize = await step(browser.get(`${origin}/auth?${query}`));
    const page = await step(browser.get(here(authorize.headers.get('location')!)));
    const form = formOf(await page.text(), '/login');
    const posted = await step(browser.post(here(form.action), { ...form.fields, login: 'alice', password: 'wonderland' }));
    const resumed = await step(browser.get(here(posted.headers.get('location')!)));
    if (!new URL(resumed.headers.get('location') ?? '', origin).searchParams.get('code')) throw new Error(`login did not complete (HTTP ${resumed.status})`);
    return seen;
  } finally {
    await bridge.close();
  }
}

test('with an https issuer every cookie is Secure, even on a plain-HTTP request from an untrusted proxy', async (t) => {
  const cookies = await cookiesOfLogin('https://bridge.example.com');
  const names = new Set(cookies.map((line) => line.split('=')[0]));
  t.true(names.has('_interaction') && names.has('_session'), [...names].join(', '));
  for (const line of cookies) t.regex(line, /;\s*secure\b/i, line.split('=')[0]);
});

test('with an http issuer (local use) cookies stay usable over HTTP', async (t) => {
  const cookies = await cookiesOfLogin('http://bridge.localhost');
  t.true(cookies.length > 0);
  for (const line of cookies) t.notRegex(line, /;\s*secure\b/i);
});
