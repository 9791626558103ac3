import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'ava';
import { VECTORS_FILE } from './support/vectors.js';

/** `legacy-bridge hash …` as an operator runs it. */

const bin = fileURLToPath(new URL('../../bin/legacy-bridge.js', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(input ?? '');
  });
}

let dir = '';
test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hash-cli-'));
});
test.after.always(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('hash check passes every vector with every ZITADEL verifier enabled', async (t) => {
  const { code, stdout } = await run(['hash', 'check', VECTORS_FILE, '--verifiers', 'all']);
  const lines = stdout.trim().split('\n');
  const count = (await readFile(VECTORS_FILE, 'utf8')).split('\n').filter((line) => line.trim()).length;
  t.is(lines.at(-1), `${count} passed, 0 failed`);
  t.is(code, 0);
  const results = lines.slice(0, -1).map((line) => JSON.parse(line) as { line: number; ok: boolean; got: boolean; handoff: string; zitadel_hash: string | null });
  t.is(results.length, count);
  t.deepEqual(results.map((r) => r.line), Array.from({ length: count }, (_, i) => i + 1));
  for (const result of results) {
    t.true(result.ok);
    if (result.got) t.not(result.handoff, 'none', `line ${result.line}`);
    else t.is(result.zitadel_hash, null);
  }
});

test('a tampered, a malformed and an unsupported line each fail and the exit code is 1', async (t) => {
  const source = (await readFile(VECTORS_FILE, 'utf8')).split('\n').filter((line) => line.trim());
  const first = JSON.parse(source[0]!) as Record<string, unknown>;
  const tampered = JSON.stringify({ ...first, password: `${String(first.password)}!` });
  const unsupported = JSON.stringify({ ...first, format: 'rot13' });
  const file = join(dir, 'tampered.jsonl');
  await writeFile(file, [source[0], tampered, '{not json', unsupported, source[1]].join('\n'));
  const { code, stdout } = await run(['hash', 'check', file]);
  t.is(code, 1);
  const lines = stdout.trim().split('\n');
  t.is(lines.at(-1), '2 passed, 3 failed');
  const results = lines.slice(0, -1).map((line) => JSON.parse(line) as { line: number; ok: boolean; got: boolean; error?: string });
  t.deepEqual(results.map((r) => [r.line, r.ok]), [[1, true], [2, false], [3, false], [4, false], [5, true]]);
  t.is(results[1]?.got, false);
  t.truthy(results[2]?.error);
  t.regex(results[3]?.error ?? '', /unsupported/);
});

test('hash check --verifiers refuses unknown names', async (t) => {
  const { code, stderr } = await run(['hash', 'check', VECTORS_FILE, '--verifiers', 'bcrypt,sha1']);
  t.is(code, 2);
  t.regex(stderr, /unknown verifier sha1/);
});

test('hash identify names every registered format that recognises the value', async (t) => {
  const md5 = await run(['hash', 'identify'], '5f4dcc3b5aa765d61d8327deb882cf99\n');
  t.is(md5.code, 0);
  const ids = md5.stdout.trim().split('\n');
  t.true(ids.includes('md5-hex'));
  t.true(ids.includes('django-unsalted-md5'));
  t.false(ids.includes('sha1-hex'));
  t.false(ids.includes('md5-salted'), 'no salt column given');
  const none = await run(['hash', 'identify'], 'not a hash at all\n');
  t.is(none.code, 1);
  t.regex(none.stderr, /No registered hash format/);
});

test('hash verify reads hash and password from stdin and answers ok or mismatch', async (t) => {
  const hash = '$6$VMyKhmpFCP84E1ld$lhgBVcCqVzTw3./Z.SiStXi.AN6l8LmIgceS8PX2U16Il/iKqMiGD.SefYhqjV9VGU783lzBU9LVDlHRKu4IJ0';
  const good = await run(['hash', 'verify', '--scheme', 'sha512-crypt'], `${hash}\npassword\n`);
  t.is(good.stdout, 'ok\n');
  t.is(good.code, 0);
  const bad = await run(['hash', 'verify', '--scheme', 'sha512-crypt'], `${hash}\npassword \n`);
  t.is(bad.stdout, 'mismatch\n');
  t.is(bad.code, 1);
  const salted = await run(['hash', 'verify', '--scheme', 'md5-salted', '--salt', 'xyz123', '--salt-order', 'password+salt'], 'c6607621007a2bfa2e094883615b259b\npässwörd✓\n');
  t.is(salted.stdout, 'ok\n');
});
