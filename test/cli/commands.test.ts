import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { commands } from '../../src/cli/commands.js';
import { openDatabase } from '../../src/store/database.js';
import { runCli } from '../support/cli.js';

const root = resolve('.');
const bin = (args: string[], options: Parameters<typeof runCli>[1] = {}) => runCli(args, options);

/** A folder with a signing key and an embedded database holding a legacy table `members` of one user. */
async function folderWithMembers(t: ExecutionContext): Promise<{ dir: string; keys: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-check-'));
  const keys = join(dir, 'jwks.json');
  t.is((await bin(['keys', 'generate', '--file', keys])).code, 0);
  const db = await openDatabase({ dataDir: join(dir, 'data'), poolSize: 1 });
  await db.query("CREATE TABLE members (id serial PRIMARY KEY, nick text, pw text); INSERT INTO members (nick, pw) VALUES ('ada', 'h')");
  await db.close();
  return { dir, keys };
}

test('every command answers --help with its usage and options', async (t) => {
  for (const command of commands) {
    const { code, stdout } = await bin([...command.path, '--help']);
    t.is(code, 0, command.path.join(' '));
    t.true(stdout.startsWith(`Usage: legacy-bridge ${command.path.join(' ')}`), stdout);
    t.regex(stdout, /--help/);
  }
  const overview = await bin(['--help']);
  t.is(overview.code, 0);
  for (const command of commands) t.true(overview.stdout.includes(command.path.join(' ')));
  // A group's help lists that group's commands.
  for (const group of new Set(commands.filter((c) => c.path.length > 1).map((c) => c.path[0]!))) {
    const help = await bin([group, '--help']);
    t.is(help.code, 0, group);
    t.true(help.stdout.startsWith(`Usage: legacy-bridge ${group} <command>`), help.stdout);
    for (const command of commands) t.is(help.stdout.includes(command.path.join(' ')), command.path[0] === group, command.path.join(' '));
  }
  const version = await bin(['--version']);
  t.is(version.code, 0);
  t.is(version.stdout.trim(), `legacy-bridge ${JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version}`);
});

test('an unknown command or option is a usage error (exit 2)', async (t) => {
  const unknown = await bin(['frobnicate']);
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /Unknown command/);
  const group = await bin(['migrate']);
  t.is(group.code, 2);
  t.regex(group.stderr, /'migrate' needs one of its commands/);
  t.regex(group.stderr, /migrate status/);
  t.notRegex(group.stderr, /keys generate/);
  const inGroup = await bin(['keys', 'frobnicate']);
  t.is(inGroup.code, 2);
  t.regex(inGroup.stderr, /Unknown command 'keys frobnicate'/);
  t.regex(inGroup.stderr, /keys rotate/);
  const option = await bin(['keys', 'generate', '--colour']);
  t.is(option.code, 2);
  t.regex(option.stderr, /^unknown option --colour\n/, 'said plainly, not as advice on positional arguments');
});

test('check-config reports every problem of a malformed file at once and exits 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
  const file = join(dir, 'bad.yaml');
  writeFileSync(file, 'issuer: nope\noidc:\n  clients: []\n  cookieKeys: []\nlegacy:\n  table: "x y"\n');
  const { code, stderr } = await bin(['check-config', '--config', file]);
  t.is(code, 2);
  for (const path of ['issuer', 'oidc.clients', 'oidc.cookieKeys', 'legacy.table']) t.true(stderr.includes(`- ${path}:`), stderr);
});

test('serve refuses a malformed configuration with exit 2 and an unreachable database with exit 1', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
  const bad = await bin(['serve', '--config', join(dir, 'missing.yaml')]);
  t.is(bad.code, 2);
  t.regex(bad.stderr, /no such file: .*missing\.yaml/);
  const keys = join(dir, 'jwks.json');
  t.is((await bin(['keys', 'generate', '--file', keys])).code, 0);
  const config = join(dir, 'bridge.yaml');
  writeFileSync(
    config,
    `issuer: http://127.0.0.1:1\ndatabase: { url: "postgres://nobody@127.0.0.1:1/none" }\noidc:\n  jwksFile: ${keys}\n  clients: [{ clientId: c, clientSecret: s, redirectUris: ["https://rp.example/cb"] }]\n  cookieKeys: [k]\n`,
  );
  const down = await bin(['serve', '--config', config], { env: { LOG_LEVEL: 'silent' } });
  t.is(down.code, 1);
  t.regex(down.stderr, /cannot reach the bridge database \(postgres:\/\/127\.0\.0\.1:1\/none\)/);
  t.false(down.stderr.includes('nobody@'), 'the database user stays out of the message');
});

test('keys generate writes a private JWKS readable by its owner only; rotate puts a new key first', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-'));
  const file = join(dir, 'keys', 'jwks.json');
  const generated = await bin(['keys', 'generate', '--file', file]);
  t.is(generated.code, 0, generated.stderr);
  t.is(statSync(file).mode & 0o777, 0o600);
  const first = JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ kid: string; alg: string; d?: string; use: string }> };
  t.is(first.keys.length, 1);
  t.is(first.keys[0]!.alg, 'RS256');
  t.is(first.keys[0]!.use, 'sig');
  t.truthy(first.keys[0]!.d);
  t.false(generated.stdout.includes(first.keys[0]!.d!), 'the private key is never printed');

  const again = await bin(['keys', 'generate', '--file', file]);
  t.is(again.code, 1);
  t.regex(again.stderr, /exists already/);

  for (let i = 0; i < 3; i += 1) t.is((await bin(['keys', 'rotate', '--file', file, '--keep', '2'])).code, 0);
  const rotated = JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ kid: string }> };
  t.is(rotated.keys.length, 3);
  t.false(rotated.keys.some((k) => k.kid === first.keys[0]!.kid), 'the oldest key is dropped after --keep rotations');
  const es = await bin(['keys', 'rotate', '--file', file, '--alg', 'ES256']);
  t.is(es.code, 0);
  t.is((JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ alg: string }> }).keys[0]!.alg, 'ES256');
  t.is((await bin(['keys', 'rotate', '--file', file, '--alg', 'none'])).code, 2);
  t.is((await bin(['keys', 'rotate', '--file', join(dir, 'absent.json')])).code, 1);
});

test('check-config checks the keys and that the legacy users query works', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-check-'));
  const keys = join(dir, 'jwks.json');
  const config = join(dir, 'bridge.yaml');
  writeFileSync(
    config,
    [
      'issuer: https://bridge.example.com',
      `database: { dataDir: ${join(dir, 'data')} }`,
      'legacy: { table: members, columns: { login: [nick], passwordHash: pw } }',
      `oidc: { jwksFile: ${keys}, clients: [{ clientId: c, clientSecret: s, redirectUris: ["https://rp.example/cb"] }], cookieKeys: [k] }`,
      '',
    ].join('\n'),
  );
  const failing = await bin(['check-config', '--config', config], { env: { DATABASE_URL: '' } });
  t.is(failing.code, 1);
  t.regex(failing.stdout, /FAIL\s+signing keys: no signing keys/);
  t.regex(failing.stdout, /FAIL\s+bridge database: .*members/);
  t.is((await bin(['keys', 'generate', '--file', keys])).code, 0);
  const stillFailing = await bin(['check-config', '--config', config]);
  t.regex(stillFailing.stdout, /ok\s+signing keys: 1 key/);
  t.is(stillFailing.code, 1);
  const db = await openDatabase({ dataDir: join(dir, 'data'), poolSize: 1 });
  await db.query('CREATE TABLE members (id serial PRIMARY KEY, nick text, pw text)');
  await db.close();
  const passing = await bin(['check-config', '--config', config]);
  t.is(passing.code, 0, passing.stdout);
  t.regex(passing.stdout, /ok\s+bridge database: embedded in .*also holding the legacy table/);
});

test('check-config maps a real legacy row, so an id column the result does not name fails before going live', async (t) => {
  const { dir, keys } = await folderWithMembers(t);
  const write = (id: string) => {
    const config = join(dir, `${id}.yaml`);
    writeFileSync(
      config,
      [
        'issuer: https://bridge.example.com',
        `database: { dataDir: ${join(dir, 'data')} }`,
        // The query selects "members"."id", which the result names `id`: every user would get sub "undefined".
        `legacy: { table: members, columns: { id: ${id}, login: [nick], passwordHash: pw } }`,
        `oidc: { jwksFile: ${keys}, clients: [{ clientId: c, clientSecret: s, redirectUris: ["https://rp.example/cb"] }], cookieKeys: [k] }`,
        '',
      ].join('\n'),
    );
    return config;
  };
  const wrong = await bin(['check-config', '--config', write('members.id')], { env: { DATABASE_URL: '' } });
  t.is(wrong.code, 1, wrong.stdout);
  t.regex(wrong.stdout, /FAIL\s+bridge database: .*no column 'members\.id'.*without a table prefix/);
  const right = await bin(['check-config', '--config', write('id')], { env: { DATABASE_URL: '' } });
  t.is(right.code, 0, right.stdout);
});

test('migrate status reads the ledger (JSON too); migrate retry without ZITADEL\'s API says what is missing', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-migrate-'));
  const config = join(dir, 'bridge.yaml');
  writeFileSync(
    config,
    [
      'issuer: https://bridge.example.com',
      `database: { dataDir: ${join(dir, 'data')} }`,
      'oidc: { clients: [{ clientId: c, clientSecret: s, redirectUris: ["https://rp.example/cb"] }], cookieKeys: [k] }',
      '',
    ].join('\n'),
  );
  const status = await bin(['migrate', 'status', '--json', '--config', config], { env: { DATABASE_URL: '' } });
  t.is(status.code, 0, status.stderr);
  t.deepEqual(JSON.parse(status.stdout), { seen: 0, migrated: 0, failed: 0, total: 0, pendingHashes: 0 });
  const table = await bin(['migrate', 'status', '--config', config]);
  t.regex(table.stdout, /migrated\s+0/);
  const retry = await bin(['migrate', 'retry', '--config', config]);
  t.is(retry.code, 2);
  t.regex(retry.stderr, /zitadel\.url/);
});

test('check-config reports a YAML alias bomb and an issuer with a path as configuration problems (exit 2, no stack)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-cli-'));
  const bomb = join(dir, 'bomb.yaml');
  const levels = ['a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (const [from, to] of [['a', 'b'], ['b', 'c'], ['c', 'd'], ['d', 'e']] as const) levels.push(`${to}: &${to} [${Array(9).fill(`*${from}`).join(', ')}]`);
  writeFileSync(bomb, `${levels.join('\n')}\nissuer: *e\n`);
  const bombed = await bin(['check-config', '-c', bomb]);
  t.is(bombed.code, 2);
  t.regex(bombed.stderr, /alias/i);
  t.notRegex(bombed.stderr, /\n\s+at /, 'no stack trace');

  const mountedFile = join(dir, 'mounted.yaml');
  writeFileSync(mountedFile, 'issuer: http://localhost:3202/bridge\noidc: { clients: [{ clientId: c, clientSecret: s, redirectUris: ["https://rp.example/cb"] }], cookieKeys: [k] }\n');
  const mounted = await bin(['check-config', '-c', mountedFile]);
  t.is(mounted.code, 2);
  t.regex(mounted.stderr, /- issuer: must not have a path:/);
});

test('a command without positional arguments refuses one (exit 2) instead of running on its defaults', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'bridge-positional-'));
  const keys = join(cwd, 'elsewhere', 'jwks.json');
  const generate = await bin(['keys', 'generate', keys], { cwd });
  t.is(generate.code, 2, generate.stdout);
  t.regex(generate.stderr, /keys generate takes no arguments, only options \(got 1\); to name a file use --config FILE or --file FILE/);
  t.false(existsSync(keys));
  t.false(existsSync(join(cwd, 'keys', 'jwks.json')), 'no key is written to the default file either');
  for (const command of [['check-config'], ['serve']]) {
    // A bad PORT makes demo mode stop at once should the argument be ignored, rather than serve forever.
    const run = await bin([...command, join(cwd, 'bridge.yaml')], { cwd, env: { PORT: 'eighty' } });
    t.is(run.code, 2, command.join(' '));
    t.regex(run.stderr, /takes no arguments.*--config FILE/, command.join(' '));
  }
  // A secret pasted as an argument is not echoed.
  const verify = await bin(['hash', 'verify', '--scheme', 'bcrypt', 'pasted-secret'], { cwd, stdin: 'x\ny\n' });
  t.is(verify.code, 2);
  t.false(verify.stderr.includes('pasted-secret'));
  t.false(existsSync(join(cwd, '.data')), 'demo mode never started');
});

test('an empty BRIDGE_CONFIG is a usage error (exit 2), not demo mode', async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'bridge-empty-config-'));
  const checked = await bin(['check-config'], { cwd, env: { BRIDGE_CONFIG: '' } });
  t.is(checked.code, 2, checked.stdout);
  t.regex(checked.stderr, /- BRIDGE_CONFIG: is set but empty: unset it/);
  t.notRegex(checked.stdout, /demo mode/);
  const keys = await bin(['keys', 'generate'], { cwd, env: { BRIDGE_CONFIG: '' } });
  t.is(keys.code, 2);
  t.false(existsSync(join(cwd, 'keys', 'jwks.json')));
});

test('check-config runs the lookup by id too: a broken legacy.queries.findById fails it', async (t) => {
  const { dir, keys } = await folderWithMembers(t);
  const select = 'SELECT id, nick, pw FROM members';
  const write = (name: string, findById: string, list = true) => {
    const config = join(dir, `${name}.yaml`);
    const queries = [
      `findByLogin: "${select} WHERE nick = $1"`,
      `findById: "${findById}"`,
      ...(list ? [`list: "${select} WHERE ($1::int IS NULL OR id > $1::int) ORDER BY id LIMIT $2"`] : []),
    ];
    writeFileSync(
      config,
      [
        'issuer: https://bridge.example.com',
        `database: { dataDir: ${join(dir, 'data')} }`,
        `legacy: { columns: { login: [nick], passwordHash: pw }, queries: { ${queries.join(', ')} } }`,
        `oidc: { jwksFile: ${keys}, clients: [{ clientId: c, clientSecret: s, redirectUris: ["https://rp.example/cb"] }], cookieKeys: [k] }`,
        '',
      ].join('\n'),
    );
    return config;
  };
  const env = { DATABASE_URL: '' };
  const wrongTable = await bin(['check-config', '--config', write('wrong-table', 'SELECT id, nick, pw FROM memberz WHERE id = $1')], { env });
  t.is(wrongTable.code, 1, wrongTable.stdout);
  t.regex(wrongTable.stdout, /FAIL\s+bridge database: .*memberz/);
  // Without a list query an impossible id is looked up: the SQL still runs.
  const unlisted = await bin(['check-config', '--config', write('unlisted', 'SELECT id, nick, pw FROM memberz WHERE id = $1', false)], { env });
  t.is(unlisted.code, 1, unlisted.stdout);
  t.regex(unlisted.stdout, /FAIL\s+bridge database: .*memberz/);
  const missesRow = await bin(['check-config', '--config', write('misses', `${select} WHERE id = $1 AND false`)], { env });
  t.is(missesRow.code, 1, missesRow.stdout);
  t.regex(missesRow.stdout, /FAIL\s+bridge database: the lookup by id does not find the user with id 1 that the users list returned; check legacy\.queries\.findById/);
  const right = await bin(['check-config', '--config', write('right', `${select} WHERE id = $1`)], { env });
  t.is(right.code, 0, right.stdout);
});
