import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { runCli } from '../support/cli.js';

const BCRYPT_OF_PASSWORD = '$2b$04$wPs9YHNsmELDDaIbqYQeGuDpjvMNGS7KQgHrtw3qx/24.12otVfOa';

test('hash check names a file it cannot read (exit 2), without a stack trace', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-hash-'));
  const missing = await runCli(['hash', 'check', join(dir, 'absent.jsonl')]);
  t.is(missing.code, 2);
  t.is(missing.stderr, `cannot read ${join(dir, 'absent.jsonl')}: ENOENT: no such file or directory\n`);
  const folder = await runCli(['hash', 'check', dir]);
  t.is(folder.code, 2);
  t.regex(folder.stderr, new RegExp(`^cannot read ${dir}: EISDIR`));
  t.notRegex(missing.stderr + folder.stderr, /\n\s+at /);
});

test('hash verify needs the password line: a hash alone is a usage error, not a check of an empty password', async (t) => {
  for (const stdin of [`${BCRYPT_OF_PASSWORD}\n`, BCRYPT_OF_PASSWORD, '']) {
    const alone = await runCli(['hash', 'verify', '--scheme', 'bcrypt'], { stdin });
    t.is(alone.code, 2, JSON.stringify(stdin));
    t.regex(alone.stderr, /hash on the first line and the password on the second/);
    t.is(alone.stdout, '');
  }
  const ok = await runCli(['hash', 'verify', '--scheme', 'bcrypt'], { stdin: `${BCRYPT_OF_PASSWORD}\npassword\n` });
  t.is(ok.stdout, 'ok\n', ok.stderr);
  // An empty second line is an empty password, asked for explicitly.
  const empty = await runCli(['hash', 'verify', '--scheme', 'bcrypt'], { stdin: `${BCRYPT_OF_PASSWORD}\n\n` });
  t.is(empty.code, 1);
  t.is(empty.stdout, 'mismatch\n');
});
