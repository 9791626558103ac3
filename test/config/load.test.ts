import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import test from 'ava';
import { ConfigError, loadConfig, loadJwksFile } from '../../src/config/load.js';

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

test('a redirect URI with a fragment is refused at its path', (t) => {
  const error = t.throws(() => loadConfig({ env: { DEMO_REDIRECT_URIS: 'https://rp.example.com/cb#frag' } }), { instanceOf: ConfigError }) as ConfigError;
  t.true(error.issues.some((issue) => /^oidc\.clients\.0\.redirectUris\.\d+$/.test(issue.path) && /no fragment/.test(issue.message)), JSON.stringify(error.issues));
});

test('a ZITADEL token with white space in it is refused at zitadel.pat, without repeating it', (t) => {
  const path = file('pat.yaml', `${MINIMAL}zitadel:\n  pat: { env: PAT }\n`);
  const error = t.throws(() => loadConfig({ file: path, env: { CLIENT_SECRET: 's', COOKIE_KEY: 'k', PAT: 'tok-secret\n# note' } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((issue) => issue.path), ['zitadel.pat']);
  t.false(error.message.includes('tok-secret'));
});

test('with the hook on, a hand-off hash must wait at least as long as a login may release it', (t) => {
  const hook = (ttl: number) => `${MINIMAL}zitadel:\n  url: https://auth.example.com\n  idpId: idp\n  pendingHashTtlSeconds: ${ttl}\n  hook: { enabled: true, signingKeys: [k], maxLoginAgeSeconds: 600 }\n`;
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k' };
  const error = t.throws(() => loadConfig({ file: file('ttl-short.yaml', hook(60)), env }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((issue) => issue.path), ['zitadel.pendingHashTtlSeconds']);
  t.is(loadConfig({ file: file('ttl-ok.yaml', hook(600)), env }).config.zitadel.pendingHashTtlSeconds, 600);
  // Without the hook or the Post Creation action nothing releases a hash, and a short TTL is the operator's choice.
  t.is(loadConfig({ file: file('ttl-no-hook.yaml', `${MINIMAL}zitadel:\n  pendingHashTtlSeconds: 60\n`), env }).config.zitadel.pendingHashTtlSeconds, 60);
});

test('a blank name fallback is refused: ZITADEL trims names and refuses an empty one', (t) => {
  const path = file('blank-fallback.yaml', `${MINIMAL}claims:\n  givenNameFallback: '  '\n`);
  const error = t.throws(() => loadConfig({ file: path, env: { CLIENT_SECRET: 's', COOKIE_KEY: 'k' } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((issue) => issue.path), ['claims.givenNameFallback']);
});

test('every problem at once: an unset variable does not hide the rest, and a missing section is "required"', (t) => {
  const path = file('all-at-once.yaml', 'issuer: https://bridge.example.com\nlegacy:\n  url: ${LEGACY_DATABASE_URL}\n  tabel: users\nserver:\n  trustproxy: true\n');
  const error = t.throws(() => loadConfig({ file: path, env: {} }), { instanceOf: ConfigError }) as ConfigError;
  const byPath = Object.fromEntries(error.issues.map((issue) => [issue.path, issue.message]));
  t.regex(byPath['legacy.url'] ?? '', /LEGACY_DATABASE_URL is not set/);
  t.regex(byPath.legacy ?? '', /tabel/);
  t.regex(byPath.server ?? '', /trustproxy/);
  t.is(byPath.oidc, 'is required');
  t.is(error.issues.filter((issue) => issue.path === 'legacy.url').length, 1, 'the unset variable once');
});

test('a missing file and a YAML syntax error say what and where', (t) => {
  const missing = t.throws(() => loadConfig({ file: join(dir, 'nope.yaml'), env: {} }), { instanceOf: ConfigError }) as ConfigError;
  t.regex(missing.issues[0]!.message, /^no such file: .*nope\.yaml \(without --config and BRIDGE_CONFIG/);
  const broken = t.throws(() => loadConfig({ file: file('broken.yaml', 'issuer: x\nlegacy: [\n'), env: {} }), { instanceOf: ConfigError }) as ConfigError;
  t.regex(broken.issues[0]!.path, /^line \d+, column \d+$/);
  t.notRegex(broken.issues[0]!.message, /at line|:$/);
});

test('DATABASE_URL must name PostgreSQL: a MySQL URL is refused at its path, not read as PostgreSQL', (t) => {
  const error = t.throws(() => loadConfig({ env: { DATABASE_URL: 'mysql://root@127.0.0.1/x' } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((issue) => issue.path), ['database.url']);
  t.regex(error.issues[0]!.message, /unsupported database 'mysql'.*\(the value comes from DATABASE_URL\)/);
  t.throws(() => loadConfig({ env: { DATABASE_URL: 'notaurl' } }), { instanceOf: ConfigError, message: /database\.url: is not a URL/ });
  t.is(loadConfig({ env: { DATABASE_URL: 'postgresql://bridge@db.example.com/bridge' } }).config.database.url, 'postgresql://bridge@db.example.com/bridge');
});

test('the demo keeps its data and its key apart from a real deployment\'s, and ignores LEGACY_DATABASE_URL, saying so', (t) => {
  const demo = loadConfig({ env: {} });
  const real = loadConfig({ file: file('real.yaml', MINIMAL), env: { CLIENT_SECRET: 's', COOKIE_KEY: 'k' } });
  t.not(demo.config.database.dataDir, real.config.database.dataDir);
  t.not(demo.config.oidc.jwksFile, real.config.oidc.jwksFile);
  t.deepEqual(demo.notices, []);
  const withLegacy = loadConfig({ env: { LEGACY_DATABASE_URL: 'postgres://reader@legacy.example.com/app' } });
  t.is(withLegacy.config.legacy.url, undefined, 'the demo users are in the embedded database');
  t.regex(withLegacy.notices.join('\n'), /LEGACY_DATABASE_URL is ignored in demo mode/);
  t.is(real.notices.length, 0);
});

test('problems with values from the environment never repeat the value', (t) => {
  const secret = 'cookie-key-value-7f3a';
  const path = file('echo.yaml', MINIMAL.replace('issuer: https://bridge.example.com', 'issuer: https://bridge.example.com/${SECRET}'));
  const error = t.throws(() => loadConfig({ file: path, env: { CLIENT_SECRET: 's', COOKIE_KEY: 'k', SECRET: secret, PORT: secret } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((issue) => issue.path).sort(), ['issuer', 'server.port']);
  t.false(error.message.includes(secret), error.message);
  const alias = t.throws(() => loadConfig({ file: file('alias.yaml', `${MINIMAL}log: { level: *${secret} }\n`), env: {} }), { instanceOf: ConfigError }) as ConfigError;
  t.false(alias.message.includes(secret), alias.message);
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
  t.throws(() => loadConfig({ file: join(dir, 'missing.yaml'), env: {} }), { instanceOf: ConfigError, message: /no such file/ });
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

const ALIAS_BOMB = `
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
issuer: *e
`;

test('a YAML alias bomb is a configuration error, not a crash', (t) => {
  const path = file('bomb.yaml', ALIAS_BOMB);
  const error = t.throws(() => loadConfig({ file: path, env: {} }), { instanceOf: ConfigError }) as ConfigError;
  t.is(error.issues.length, 1);
  t.regex(error.issues[0]!.message, /alias/i);
  t.throws(() => loadJwksFile({ file: path, env: {} }), { instanceOf: ConfigError, message: /alias/i });
});

test('an issuer with a path is refused; a trailing slash alone is fine', (t) => {
  const withPath = file('issuer-path.yaml', MINIMAL.replace('https://bridge.example.com', 'https://bridge.example.com/bridge'));
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k' };
  const error = t.throws(() => loadConfig({ file: withPath, env }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['issuer']);
  t.regex(error.issues[0]!.message, /must not have a path: .*root of its own host name or port/);
  t.throws(() => loadConfig({ env: { ISSUER: 'http://localhost:3202/bridge/' } }), { instanceOf: ConfigError, message: /issuer: must not have a path/ });
  const slash = file('issuer-slash.yaml', MINIMAL.replace('https://bridge.example.com', 'https://bridge.example.com/'));
  t.is(loadConfig({ file: slash, env }).config.issuer, 'https://bridge.example.com/');
  t.is(loadConfig({ file: file('issuer-bare.yaml', MINIMAL), env }).config.issuer, 'https://bridge.example.com');
  for (const tail of ['?tenant=1', '#top']) {
    const odd = file('issuer-odd.yaml', MINIMAL.replace('https://bridge.example.com', `https://bridge.example.com/${tail}`));
    const refused = t.throws(() => loadConfig({ file: odd, env }), { instanceOf: ConfigError }) as ConfigError;
    t.deepEqual(refused.issues.map((i) => i.path), ['issuer'], tail);
    t.regex(refused.issues[0]!.message, /query or a fragment/);
  }
});

test('loadJwksFile reads oidc.jwksFile without needing the server\'s secrets', (t) => {
  // MINIMAL takes its client secret and cookie key from variables that are not set here.
  t.throws(() => loadConfig({ file: file('secretless.yaml', MINIMAL), env: {} }), { instanceOf: ConfigError });
  t.deepEqual(loadJwksFile({ file: file('secretless.yaml', MINIMAL), env: {} }), { jwksFile: 'keys/jwks.json', source: join(dir, 'secretless.yaml') });
  const custom = file('custom-jwks.yaml', `${MINIMAL}  jwksFile: \${KEYS_DIR:-/run/keys}/bridge.json\n`);
  t.is(loadJwksFile({ file: custom, env: {} }).jwksFile, '/run/keys/bridge.json');
  t.is(loadJwksFile({ file: custom, env: { KEYS_DIR: '/srv' } }).jwksFile, '/srv/bridge.json');
  t.deepEqual(loadJwksFile({ env: {} }), { jwksFile: 'keys/jwks.json', source: 'demo' });
});

test('loadJwksFile reports what keeps it from finding oidc.jwksFile, with the path', (t) => {
  const cases: Array<[string, string, RegExp]> = [
    ['unset-var.yaml', `${MINIMAL}  jwksFile: \${KEYS_FILE}\n`, /oidc\.jwksFile: environment variable KEYS_FILE is not set/],
    ['number.yaml', `${MINIMAL}  jwksFile: 42\n`, /oidc\.jwksFile:/],
    ['oidc-list.yaml', 'issuer: https://bridge.example.com\noidc: [a, b]\n', /oidc: must be a mapping/],
    ['syntax.yaml', 'oidc: [unclosed\n  - x: : y', /line \d+, column \d+:/],
  ];
  for (const [name, text, message] of cases) {
    t.throws(() => loadJwksFile({ file: file(name, text), env: {} }), { instanceOf: ConfigError, message }, name);
  }
  t.throws(() => loadJwksFile({ file: join(dir, 'absent.yaml'), env: {} }), { instanceOf: ConfigError, message: /no such file/ });
});

test('legacy.disabledWhen together with legacy.queries is refused: the queries must select `disabled` themselves', (t) => {
  const queries = '  queries: { findByLogin: "SELECT * FROM users WHERE login = $1", findById: "SELECT * FROM users WHERE id = $1" }\n';
  const path = file('disabled-queries.yaml', MINIMAL.replace('app\n', `app\n  disabledWhen: banned = 1\n${queries}`));
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k' };
  const error = t.throws(() => loadConfig({ file: path, env }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['legacy.disabledWhen']);
  t.regex(error.issues[0]!.message, /not applied with legacy\.queries.*`disabled` column/);
  // Each alone stays valid.
  t.is(loadConfig({ file: file('disabled-only.yaml', MINIMAL.replace('app\n', 'app\n  disabledWhen: banned = 1\n')), env }).config.legacy.disabledWhen, 'banned = 1');
  t.truthy(loadConfig({ file: file('queries-only.yaml', MINIMAL.replace('app\n', `app\n${queries}`)), env }).config.legacy.queries);
});

test('an empty BRIDGE_CONFIG is refused instead of starting demo mode', (t) => {
  const error = t.throws(() => loadConfig({ env: { BRIDGE_CONFIG: '' } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['BRIDGE_CONFIG']);
  t.regex(error.message, /set but empty: unset it .* or set it to a configuration file/);
  t.throws(() => loadJwksFile({ env: { BRIDGE_CONFIG: '' } }), { instanceOf: ConfigError, message: /BRIDGE_CONFIG/ });
  // A file named explicitly wins, as before.
  t.is(loadConfig({ file: file('explicit.yaml', MINIMAL), env: { BRIDGE_CONFIG: '', CLIENT_SECRET: 's', COOKIE_KEY: 'k' } }).config.demo, false);
});

test('legacy.url must name a supported database; a bad LEGACY_DATABASE_URL is named without its password', (t) => {
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k' };
  const inFile = file('mssql.yaml', MINIMAL.replace('postgres://reader@', 'mssql://reader:hunter2@'));
  const error = t.throws(() => loadConfig({ file: inFile, env }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['legacy.url']);
  t.regex(error.message, /unsupported database 'mssql'; supported: postgres, postgresql, mysql, mariadb/);
  t.false(error.message.includes('hunter2'));

  const fromEnv = t.throws(() => loadConfig({ file: file('ok-url.yaml', MINIMAL), env: { ...env, LEGACY_DATABASE_URL: 'reader:hunter2 at legacy' } }), {
    instanceOf: ConfigError,
  }) as ConfigError;
  t.deepEqual(fromEnv.issues.map((i) => i.path), ['legacy.url']);
  t.regex(fromEnv.message, /is not a URL.*\(the value comes from LEGACY_DATABASE_URL\)/);
  t.false(fromEnv.message.includes('hunter2'));

  for (const url of ['mariadb://reader@db/app', 'postgresql://reader@db/app']) t.is(loadConfig({ file: inFile, env: { ...env, LEGACY_DATABASE_URL: url } }).config.legacy.url, url);
  // Empty means none: the legacy table lives in the bridge database (`url: ${LEGACY_DATABASE_URL:-}`).
  t.is(loadConfig({ file: file('no-url.yaml', MINIMAL.replace('postgres://reader@legacy.example.com/app', "''")), env }).config.legacy.url, '');
});

test('an empty legacy column name is refused at its path', (t) => {
  const path = file('empty-column.yaml', MINIMAL.replace('app\n', "app\n  columns: { email: '', locale: '' }\n"));
  const error = t.throws(() => loadConfig({ file: path, env: { CLIENT_SECRET: 's', COOKIE_KEY: 'k' } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['legacy.columns.email', 'legacy.columns.locale']);
  t.regex(error.issues[0]!.message, /must not be empty: leave the setting out/);
});

test('${VAR} in a number or boolean setting is read as one; text that is neither is refused at its path', (t) => {
  const text = `${MINIMAL}server:\n  port: \${BRIDGE_PORT}\n  trustProxy: \${TRUST_PROXY:-false}\nlogin: { throttle: { maxFailures: "\${MAX_FAILURES:-5}" } }\n`;
  const path = file('typed-vars.yaml', text);
  const env = { CLIENT_SECRET: 's', COOKIE_KEY: 'k' };
  const { config } = loadConfig({ file: path, env: { ...env, BRIDGE_PORT: '8080', TRUST_PROXY: 'true' } });
  t.is(config.server.port, 8080);
  t.is(config.server.trustProxy, true);
  t.is(config.login.throttle.maxFailures, 5);
  t.is(loadConfig({ file: path, env: { ...env, BRIDGE_PORT: '8080' } }).config.server.trustProxy, false);

  const error = t.throws(() => loadConfig({ file: path, env: { ...env, BRIDGE_PORT: 'abc', TRUST_PROXY: 'yes' } }), { instanceOf: ConfigError }) as ConfigError;
  t.deepEqual(error.issues.map((i) => i.path), ['server.port', 'server.trustProxy']);
  t.regex(error.issues[0]!.message, /expected number.*\$\{BRIDGE_PORT\}/);
  t.throws(() => loadConfig({ file: path, env: { ...env, BRIDGE_PORT: '99999' } }), { instanceOf: ConfigError, message: /server\.port/ });
  // A string setting keeps digits as text, and a number written as a quoted string is still refused.
  t.is(loadConfig({ file: file('string-var.yaml', `${MINIMAL}server: { host: "\${HOST_NAME}" }\n`), env: { ...env, HOST_NAME: '1234' } }).config.server.host, '1234');
  t.throws(() => loadConfig({ file: file('quoted.yaml', `${MINIMAL}server: { port: "8080" }\n`), env }), { instanceOf: ConfigError, message: /server\.port/ });
});
