import { request } from 'node:http';
import test from 'ava';
import { startTestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS } from '../support/legacy-users.js';

test.after.always(closeDatabases);

/** GET `target` from the bridge with this Host header, as any client may send it. */
function getWithHost(issuer: string, target: string, host: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(issuer);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, path: target, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('the URLs a request makes the bridge build start with the issuer, whatever Host the request names', async (t) => {
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_host');
  await createLegacyTable(db, table, STANDARD_USERS);
  const bridge = await startTestBridge({ db, legacy: legacySection(table), adjust: (raw) => void Object.assign(raw, { server: { trustProxy: true } }) });
  t.teardown(() => bridge.close());
  const discovery = '/.well-known/openid-configuration';
  const cases: Array<[string, string]> = [
    [discovery, 'evil.example'],
    [discovery, 'a b%'],
    [`http://evil.example${discovery}`, 'evil.example'],
  ];
  for (const [target, host] of cases) {
    const { status, body } = await getWithHost(bridge.issuer, target, host);
    t.is(status, 200, `${target} with Host ${host}`);
    const document = JSON.parse(body) as Record<string, unknown>;
    t.is(document.issuer, bridge.issuer);
    for (const name of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri']) {
      t.true(String(document[name]).startsWith(`${bridge.issuer}/`), `${name}: ${String(document[name])}`);
    }
  }
});
