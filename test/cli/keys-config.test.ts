import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli, type CliResult } from '../support/cli.js';

/** Run `legacy-bridge` in `cwd`, so that the default keys/jwks.json and config/bridge.yaml are that folder's. */
const run = (cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> => runCli(args, { cwd, env });

/** A configuration whose client secret and cookie key come from variables the key commands do not set. */
function configText(jwksFile: string): string {
  return `
issuer: https://bridge.example.com
oidc:
  jwksFile: ${jwksFile}
  clients:
    - clientId: zitadel
      clientSecret: { env: CLIENT_SECRET }
      zitadelUrl: https://auth.example.com
  cookieKeys: [{ env: COOKIE_KEY }]
`;
}

const keyCount = (file: string) => (JSON.parse(readFileSync(file, 'utf8')) as { keys: unknown[] }).keys.length;

test('keys commands refuse a configuration they cannot read (exit 2) instead of falling back to keys/jwks.json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-config-'));
  mkdirSync(join(dir, 'config'));
  // The default configuration file of the folder, naming its key file through a variable that is not set.
  writeFileSync(join(dir, 'config', 'bridge.yaml'), configText('${KEYS_FILE}'));
  const fallback = join(dir, 'keys', 'jwks.json');

  const generate = await run(dir, ['keys', 'generate']);
  t.is(generate.code, 2, generate.stderr);
  t.regex(generate.stderr, /config\/bridge\.yaml/);
  t.regex(generate.stderr, /- oidc\.jwksFile: environment variable KEYS_FILE is not set/);
  t.false(existsSync(fallback), 'nothing is written');

  const rotate = await run(dir, ['keys', 'rotate']);
  t.is(rotate.code, 2, rotate.stderr);
  t.regex(rotate.stderr, /KEYS_FILE/);
  t.false(existsSync(fallback));

  const broken = join(dir, 'broken.yaml');
  writeFileSync(broken, 'oidc: [unclosed\n  - x: : y');
  const syntax = await run(dir, ['keys', 'generate', '--config', broken]);
  t.is(syntax.code, 2);
  t.true(syntax.stderr.includes(`Configuration problems in ${broken}`), syntax.stderr);
  const missing = await run(dir, ['keys', 'generate', '-c', join(dir, 'absent.yaml')]);
  t.is(missing.code, 2);
  t.regex(missing.stderr, /no such file/);
  t.false(existsSync(fallback), 'nothing is written');
  t.notRegex(syntax.stderr + missing.stderr + generate.stderr, /\n\s+at /, 'no stack trace');
});

test('--config names the configuration whose oidc.jwksFile the keys commands manage; server-only secrets need not be set', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-config-'));
  const custom = join(dir, 'signing', 'bridge-jwks.json');
  const config = join(dir, 'bridge.yaml');
  writeFileSync(config, configText(custom));

  const generate = await run(dir, ['keys', 'generate', '--config', config]);
  t.is(generate.code, 0, generate.stderr);
  t.true(generate.stdout.includes(`Wrote ${custom}`), generate.stdout);
  t.is(keyCount(custom), 1);
  const rotate = await run(dir, ['keys', 'rotate', '-c', config]);
  t.is(rotate.code, 0, rotate.stderr);
  t.is(keyCount(custom), 2);
  // BRIDGE_CONFIG names it as well, as for the other commands.
  t.is((await run(dir, ['keys', 'rotate'], { BRIDGE_CONFIG: config })).code, 0);
  t.is(keyCount(custom), 3);
  t.false(existsSync(join(dir, 'keys', 'jwks.json')), 'the default file is not touched');
});

test('without any configuration file (demo mode) the keys commands use keys/jwks.json', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-demo-'));
  const generate = await run(dir, ['keys', 'generate']);
  t.is(generate.code, 0, generate.stderr);
  t.is(keyCount(join(dir, 'keys', 'jwks.json')), 1);
});

test('keys rotate keeps the signing algorithm of the current first key unless --alg says otherwise', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-keys-alg-'));
  t.is((await run(dir, ['keys', 'generate', '--alg', 'ES256'])).code, 0);
  const file = join(dir, 'keys', 'jwks.json');
  const algs = () => (JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ alg: string }> }).keys.map((key) => key.alg);
  const rotated = await run(dir, ['keys', 'rotate']);
  t.is(rotated.code, 0, rotated.stderr);
  t.deepEqual(algs(), ['ES256', 'ES256'], 'the ID tokens keep their algorithm');
  t.is((await run(dir, ['keys', 'rotate', '--alg', 'RS256'])).code, 0);
  t.deepEqual(algs(), ['RS256', 'ES256', 'ES256']);
});
