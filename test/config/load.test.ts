import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import test from 'ava';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const dir = mkdtempSync(join(tmpdir(), 'bridge-config-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const MINIMAL = `
issuer: https://bridge.example.com
legacy:
  url: postgres://reader@legacy.example.com/app
oidc:
  clients:
    - clientId: zitadel
      clientSecret: { env: CLIENT_SECRET }
      zitadelUrl: https://auth.example.com
  cookieKeys: [{ env: COOKIE_KEY }]
`;

test('without a file the demo configuration loads, adjusted by the environment', (t) => {
  const { config, source } = loadConfig({ env: { PORT: '4000', DEMO_CLIENT_ID: 'mine', DEMO_REDIRECT_URIS: 'https://rp.example.com/cb, https://rp.example.com/cb2' } });
  t.is(source, 'demo');
  t.true(config.demo);
  t.is(config.issuer, 'http://localhost:4000');
  t.is(config.server.port, 4000);
  t.is(config.server.host, '127.0.0.1');
  t.is(config.oidc.clients[0]!.clientId, 'mine');
  t.true(config.oidc.clients[0]!.redirectUris.includes('https://rp.example.com/cb2'));
  t.is(config.database.url, undefined);
});

test('ISSUER sets the issuer exactly, trailing slash included', (t) => {
  const { config } = loadConfig({ env: { ISSUER: 'https://bridge.example.com/' } });
  t.is(config.issuer, 'https://bridge.example.com/');
});

test('a file with secrets from the environment loads; secrets never print', (t) => {
  const path = file('ok.yaml', MINIMAL);
  const { config } = loadConfig({ file: path, env: { CLIENT_SECRET: 'client-secret-value', COOKIE_KEY: 'cookie-key-value' } });
  t.false(config.demo);
  t.is(config.oidc.clients[0]!.clientSecret.reveal(), 'client-secret-value');
  const printed = JSON.stringify(config) + inspect(config, { depth: 10 }) + String(config.oidc.cookieKeys[0]);
  t.false(printed.includes('client-secret-value'));
  t.false(printed.includes('cookie-key-value'));
});

test('every problem is reported at once, each with its path', (t) => {
  const path = file(
    'bad.yaml',
    `
issuer: not a url
server: { port: 99999, colour: blue }
legacy:
  table: "users; DROP TABLE users"
oidc:
  clients:
    - clientId: zitadel
      clientSecret: { env: MISSING_SECRET }
  cookieKeys: []
`,
  );
  const error = t.throws(() => loadConfig({ file: path, env: {} }), { instanceOf: ConfigError }) as ConfigError;
  const paths = error.issues.map((i) => i.path);
  for (const expected of ['issuer', 'server.port', 'server', 'legacy.table', 'oidc.clients.0.clientSecret', 'oidc.clients.0', 'oidc.cookieKeys']) {
    t.true(paths.includes(expected), `expected an issue at ${expected}, got ${paths.join(', ')}`);
  }
  t.regex(error.message, /MISSING_SECRET/);
  t.regex(error.message, /colour/);
});

test('YAML syntax errors and unreadable files are configuration errors, not crashes', (t) => {
  const broken = file('broken.yaml', 'issuer: [unclosed\n  - x: : y');
  t.throws(() => loadConfig({ file: broken, env: {} }), { instanceOf: ConfigError });
  t.throws(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }), { instanceOf: ConfigError, message: /cannot read/ });
  t.throws(() => loadConfig({ file: file('list.yaml', '- a\n- b\n'), env: {} }), { instanceOf: ConfigError, message: /mapping/ });
});

test('${VAR} and ${VAR:-default} are replaced; a missing variable is an issue at its path', (t) => {
  const path = file('vars.yaml', `${MINIMAL}\nlog:\n  level: \${LEVEL:-warn}\ndatabase:\n  url: \${DB_URL}\n`);
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k' };
  const error = t.throws(() => loadConfig({ file: path, env }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['database.url']);
  const { config } = loadConfig({ file: path, env: { ...env, DB_URL: 'postgres://db.example.com/bridge' } });
  t.is(config.log.level, 'warn');
  t.is(config.database.url, 'postgres://db.example.com/bridge');
});

test('environment overrides win over the file, and a bad PORT is reported', (t) => {
  const path = file('env.yaml', MINIMAL);
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k', PORT: '8080', LEGACY_DATABASE_URL: 'mysql://reader@db/wp' };
  const { config } = loadConfig({ file: path, env });
  t.is(config.server.port, 8080);
  t.is(config.legacy.url, 'mysql://reader@db/wp');
  t.throws(() => loadConfig({ file: path, env: { ...env, PORT: 'eighty' } }), { instanceOf: ConfigError, message: /server\.port/ });
});

test('secrets can come from files', (t) => {
  const secretFile = file('secret.txt', 'from-a-file\n');
  const path = file('files.yaml', MINIMAL.replace('{ env: CLIENT_SECRET }', `{ file: ${secretFile} }`));
  const { config } = loadConfig({ file: path, env: { COOKIE_KEY: 'k' } });
  t.is(config.oidc.clients[0]!.clientSecret.reveal(), 'from-a-file');
});

test('the annotated example configuration is valid', (t) => {
  const { config } = loadConfig({
    file: 'config/example.yaml',
    env: { LEGACY_DATABASE_URL: 'postgres://reader@legacy/app', ZITADEL_CLIENT_SECRET: 's', COOKIE_KEY: 'k' },
  });
  t.is(config.oidc.clients[0]!.zitadelUrl, 'https://auth.example.com');
  t.is(config.database.url, '');
});
