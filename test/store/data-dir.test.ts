import { spawn, spawnSync } from 'node:child_process';
import fs, { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import { DataDirInUseError, LOCK_FILE, lockDataDir } from '../../src/store/data-dir.js';
import { openDatabase } from '../../src/store/database.js';

// One process at a time in an embedded data folder: a second PGlite on the same files corrupts them.

const folders: string[] = [];
function freshFolder(): string {
  const folder = mkdtempSync(join(tmpdir(), 'bridge-data-'));
  folders.push(folder);
  return folder;
}
test.after.always(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function writeLock(folder: string, holder: Record<string, unknown>, ageMs = 0): void {
  const path = join(folder, LOCK_FILE);
  writeFileSync(path, JSON.stringify({ since: '2026-01-01T00:00:00.000Z', token: 'someone-else', ...holder }));
  const at = new Date(Date.now() - ageMs);
  utimesSync(path, at, at);
}

/** This process's PID namespace, as a lock written by a process next to it records it. */
const pidNs = existsSync('/proc/self/ns/pid') ? readlinkSync('/proc/self/ns/pid') : undefined;

/** The pid of a process that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid!;
}

test('the folder is created private to its user, and an existing one is made private', (t) => {
  const created = join(freshFolder(), 'nested', 'bridge');
  lockDataDir(created).release();
  t.is(statSync(created).mode & 0o777, 0o700);

  const existing = freshFolder();
  spawnSync('chmod', ['0777', existing]);
  lockDataDir(existing).release();
  t.is(statSync(existing).mode & 0o777, 0o700);
});

// Only root can start a process as another user; elsewhere there is no way to meet a folder one cannot chmod.
const asRoot = process.getuid?.() === 0 ? test : test.skip;
asRoot('a folder that belongs to another user is refused with what to do, not used as it is', async (t) => {
  const folder = freshFolder();
  spawnSync('chmod', ['0777', folder]);
  const moduleUrl = new URL('../../src/store/data-dir.ts', import.meta.url).href;
  const script = `const { lockDataDir } = await import(${JSON.stringify(moduleUrl)});
    try { lockDataDir(${JSON.stringify(folder)}); console.log('LOCKED'); } catch (error) { console.log(error.message); }`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: tmpdir() } });
  t.regex(child.stdout, /belongs to another user.*run the bridge as its owner/, child.stderr);
  t.false(existsSync(join(folder, LOCK_FILE)));
});

asRoot('a folder that belongs to another user is refused even for root, which could otherwise make it private', (t) => {
  const folder = freshFolder();
  chownSync(folder, 65534, 65534);
  const error = t.throws(() => lockDataDir(folder));
  t.regex(error.message, /belongs to another user \(uid 65534\).*run the bridge as its owner.*chown/);
  t.false(existsSync(join(folder, LOCK_FILE)));
  t.is(statSync(folder).uid, 65534);
});

test('a data folder that is a symbolic link is refused, naming the folder it points to', (t) => {
  const target = freshFolder();
  const link = join(freshFolder(), 'bridge');
  symlinkSync(target, link);
  const error = t.throws(() => lockDataDir(link));
  t.regex(error.message, /symbolic link.*database\.dataDir/);
  t.true(error.message.includes(target));
  t.false(existsSync(join(target, LOCK_FILE)));
});

test('a held folder is refused, in this process too, until it is released; release removes the lock file', (t) => {
  const folder = freshFolder();
  const lock = lockDataDir(folder);
  const error = t.throws(() => lockDataDir(join(folder, '.')), { instanceOf: DataDirInUseError });
  t.regex(error.message, /in use by this process/);
  t.regex(error.message, /DATABASE_URL/);
  lock.release();
  t.false(existsSync(join(folder, LOCK_FILE)));
  lockDataDir(folder).release();
});

test('a lock held by another live process names it; once that process is killed the folder is taken over', async (t) => {
  const folder = freshFolder();
  const moduleUrl = new URL('../../src/store/data-dir.ts', import.meta.url).href;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `const { lockDataDir } = await import(${JSON.stringify(moduleUrl)}); lockDataDir(${JSON.stringify(folder)}); console.log('HELD'); setInterval(() => {}, 1000);`],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  t.teardown(() => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('HELD') && resolve());
    child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
  });

  const error = t.throws(() => lockDataDir(folder), { instanceOf: DataDirInUseError });
  t.regex(error.message, new RegExp(`process ${child.pid} on this machine`));

  await new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
  const lock = lockDataDir(folder);
  t.is(JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')).pid, process.pid);
  lock.release();
});

test('a lock left by a process that is gone, or from before the machine restarted, is taken over', (t) => {
  const holderOf = (folder: string) => JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')).pid as number;
  const gone = freshFolder();
  writeLock(gone, { pid: deadPid(), host: hostname(), pidNs });
  const taken = lockDataDir(gone);
  t.is(holderOf(gone), process.pid);
  taken.release();

  const bootId = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;
  if (bootId) {
    const rebooted = freshFolder();
    // The pid of a live process (this one's parent), but recorded during another boot.
    writeLock(rebooted, { pid: process.ppid, host: hostname(), bootId: 'another-boot', pidNs });
    const after = lockDataDir(rebooted);
    t.is(holderOf(rebooted), process.pid);
    after.release();
  }
});

test('a lock from another PID namespace on this machine (a container with the host network) counts while kept fresh, whatever its pid means here', (t) => {
  const folder = freshFolder();
  const bootId = existsSync('/proc/sys/kernel/random/boot_id') ? readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() : undefined;
  // Its pid is no process here: it is one in the other namespace.
  const holder = { pid: deadPid(), host: hostname(), bootId, pidNs: 'pid:[1]' };
  writeLock(folder, holder);
  const error = t.throws(() => lockDataDir(folder, { staleMs: 60_000 }), { instanceOf: DataDirInUseError });
  t.regex(error.message, /cannot be checked from this PID namespace/);
  t.is(JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')).pidNs, 'pid:[1]');

  writeLock(folder, holder, 120_000);
  lockDataDir(folder, { staleMs: 60_000 }).release();
});

const withPidNamespaces = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', 'true']).status === 0 ? test : test.skip;
withPidNamespaces('a process in a new PID namespace does not take the folder from a live holder it cannot see', (t) => {
  const folder = freshFolder();
  const lock = lockDataDir(folder);
  t.teardown(() => lock.release());
  const moduleUrl = new URL('../../src/store/data-dir.ts', import.meta.url).href;
  const script = `const { lockDataDir } = await import(${JSON.stringify(moduleUrl)});
    try { lockDataDir(${JSON.stringify(folder)}); console.log('LOCKED'); } catch (error) { console.log(error.message); }`;
  const child = spawnSync('unshare', ['--pid', '--fork', process.execPath, '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  t.regex(child.stdout, /in use by process \d+ on this machine.*cannot be checked from this PID namespace/, child.stderr);
  t.is(JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')).pid, process.pid);
});

test('of processes taking over one stale lock at once, one holds the folder: a lock replaced meanwhile is never removed', (t) => {
  const folder = freshFolder();
  const path = join(folder, LOCK_FILE);
  writeLock(folder, { pid: deadPid(), host: hostname(), pidNs, token: 'crashed' });
  // Another process that judged the same lock stale replaces it with its own just after this one read it.
  const theirs = JSON.stringify({ pid: process.ppid, host: hostname(), pidNs, since: 'now', token: 'theirs' });
  const original = fs.readFileSync;
  let replaced = false;
  fs.readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    const result = original(...args);
    if (!replaced && args[0] === path) {
      replaced = true;
      fs.unlinkSync(path);
      writeFileSync(path, theirs);
    }
    return result;
  }) as typeof fs.readFileSync;
  syncBuiltinESMExports();
  try {
    t.throws(() => lockDataDir(folder), { instanceOf: DataDirInUseError });
  } finally {
    fs.readFileSync = original;
    syncBuiltinESMExports();
  }
  t.true(replaced);
  t.is(readFileSync(path, 'utf8'), theirs);
  // Nothing left behind by the attempt.
  t.deepEqual(readdirSync(folder), [LOCK_FILE]);
});

/** Run `work` with `fs.linkSync` failing as on a filesystem without hard links (vfat, SMB/CIFS, some FUSE mounts). */
function withoutHardLinks<T>(work: () => T, code = 'EPERM', before?: () => void): T {
  const original = fs.linkSync;
  fs.linkSync = ((...args: Parameters<typeof fs.linkSync>) => {
    before?.();
    throw Object.assign(new Error(`${code}: operation not permitted, link '${String(args[0])}' -> '${String(args[1])}'`), { code, syscall: 'link' });
  }) as typeof fs.linkSync;
  syncBuiltinESMExports();
  try {
    return work();
  } finally {
    fs.linkSync = original;
    syncBuiltinESMExports();
  }
}

test('on a filesystem without hard links, a lock left by a process that is gone is still taken over', (t) => {
  for (const code of ['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']) {
    const folder = freshFolder();
    writeLock(folder, { pid: deadPid(), host: hostname(), pidNs, token: 'crashed' });
    let linked = 0;
    const lock = withoutHardLinks(() => lockDataDir(folder), code, () => (linked += 1));
    t.is(linked, 1, code);
    t.is(JSON.parse(readFileSync(join(folder, LOCK_FILE), 'utf8')).pid, process.pid, code);
    t.deepEqual(readdirSync(folder), [LOCK_FILE], code);
    lock.release();
  }
});

test('on a filesystem without hard links, of processes taking over one stale lock at once, one holds the folder', (t) => {
  const folder = freshFolder();
  const path = join(folder, LOCK_FILE);
  const claimed = () => readdirSync(folder).some((name) => name.endsWith('.stale'));

  // The other process claims and replaces the lock between this one's judging it stale and claiming it.
  writeLock(folder, { pid: deadPid(), host: hostname(), pidNs, token: 'crashed' });
  let theirs: ReturnType<typeof lockDataDir> | undefined;
  let started = false;
  withoutHardLinks(
    () => t.throws(() => lockDataDir(folder), { instanceOf: DataDirInUseError }),
    'EPERM',
    () => {
      if (started) return;
      started = true;
      theirs = lockDataDir(folder);
    },
  );
  t.truthy(theirs);
  const winner = readFileSync(path, 'utf8');
  t.not(JSON.parse(winner).token, 'crashed');
  t.deepEqual(readdirSync(folder), [LOCK_FILE]);
  theirs!.release();

  // The other process tries while this one holds the claim: it is refused, this one takes the folder.
  writeLock(folder, { pid: deadPid(), host: hostname(), pidNs, token: 'crashed' });
  const original = fs.readFileSync;
  let refused: unknown;
  started = false;
  fs.readFileSync = ((...args: Parameters<typeof fs.readFileSync>) => {
    if (!started && args[0] === path && claimed()) {
      started = true;
      try {
        lockDataDir(folder);
      } catch (error) {
        refused = error;
      }
    }
    return original(...args);
  }) as typeof fs.readFileSync;
  syncBuiltinESMExports();
  let ours: ReturnType<typeof lockDataDir>;
  try {
    ours = withoutHardLinks(() => lockDataDir(folder));
  } finally {
    fs.readFileSync = original;
    syncBuiltinESMExports();
  }
  t.true(started);
  t.true(refused instanceof DataDirInUseError);
  t.not(JSON.parse(readFileSync(path, 'utf8')).token, 'crashed');
  t.deepEqual(readdirSync(folder), [LOCK_FILE]);
  ours.release();
});

test('a stale lock that cannot be cleared is refused with which file to delete, not a raw error', (t) => {
  const folder = freshFolder();
  const path = join(folder, LOCK_FILE);
  writeLock(folder, { pid: deadPid(), host: hostname(), pidNs, token: 'crashed' });
  const error = withoutHardLinks(() => t.throws(() => lockDataDir(folder), { instanceOf: DataDirInUseError }), 'EIO');
  t.regex(error.message, /could not be cleared \(EIO\)\. If no bridge is using the folder, delete /);
  t.true(error.message.includes(path));
  t.deepEqual(readdirSync(folder), [LOCK_FILE]);
});

test('a lock from another host counts while it is kept fresh, and is abandoned once untouched', (t) => {
  const folder = freshFolder();
  writeLock(folder, { pid: 1, host: 'other-container' });
  const error = t.throws(() => lockDataDir(folder, { staleMs: 60_000 }), { instanceOf: DataDirInUseError });
  t.regex(error.message, /process 1 on host other-container/);

  writeLock(folder, { pid: 1, host: 'other-container' }, 120_000);
  lockDataDir(folder, { staleMs: 60_000 }).release();
});

test('an unreadable lock file counts only while fresh (a holder writing it this moment)', (t) => {
  const folder = freshFolder();
  const path = join(folder, LOCK_FILE);
  writeFileSync(path, '{"pid":');
  t.throws(() => lockDataDir(folder), { instanceOf: DataDirInUseError, message: /starting/ });
  const old = new Date(Date.now() - 120_000);
  utimesSync(path, old, old);
  lockDataDir(folder).release();
});

test('the holder keeps its lock fresh, and releasing never removes a lock that is not its own', async (t) => {
  const folder = freshFolder();
  const path = join(folder, LOCK_FILE);
  const lock = lockDataDir(folder, { refreshMs: 20 });
  const old = new Date(Date.now() - 120_000);
  utimesSync(path, old, old);
  await new Promise((resolve) => setTimeout(resolve, 200));
  t.true(Date.now() - statSync(path).mtimeMs < 10_000);

  // Cleared by hand and taken by someone else meanwhile: theirs stays.
  writeLock(folder, { pid: 1, host: 'other-container' });
  lock.release();
  t.true(existsSync(path));
});

test('the embedded database holds its folder: a second open is refused with what to do, and works after close', async (t) => {
  const folder = join(freshFolder(), 'bridge');
  mkdirSync(folder);
  const first = await openDatabase({ dataDir: folder, poolSize: 1 });
  try {
    await first.query('CREATE TABLE kept (value text)');
    await first.query('INSERT INTO kept (value) VALUES ($1)', ['still here']);
    const error = await t.throwsAsync(openDatabase({ dataDir: folder, poolSize: 1 }));
    t.like(error as object, { code: 'DATABASE_UNAVAILABLE' });
    t.regex(error.message, /cannot open the embedded database in .*: it is in use by this process/);
  } finally {
    await first.close();
  }
  t.false(existsSync(join(folder, LOCK_FILE)));
  const second = await openDatabase({ dataDir: folder, poolSize: 1 });
  try {
    t.deepEqual((await second.query('SELECT value FROM kept')).rows, [{ value: 'still here' }]);
  } finally {
    await second.close();
  }
});
