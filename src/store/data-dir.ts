import { createHash, randomUUID } from 'node:crypto';
import { chmodSync, closeSync, linkSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The embedded database's folder, made private and held by one process at a time.
 *
 * Two PGlite instances on one folder each replay the write-ahead log and write the same files, which
 * corrupts them; PGlite itself does not prevent it. A lock file names the holder: a holder in this PID
 * namespace counts only while its process lives (and the machine has not rebooted); one on another host, or
 * in another container of this host, whose process cannot be seen from here, while it keeps touching the file.
 * Node has no OS-level file lock (no flock), hence the file.
 */

export const LOCK_FILE = 'bridge.lock';

export interface DataDirLockOptions {
  /** How often the holder touches the lock file. */
  readonly refreshMs?: number;
  /** A lock from another host untouched for this long is abandoned. */
  readonly staleMs?: number;
}

export interface DataDirLock {
  release(): void;
}

export class DataDirInUseError extends Error {
  readonly code = 'DATA_DIR_IN_USE';
}

interface Holder {
  readonly pid: number;
  readonly host: string;
  readonly bootId?: string;
  /** Its PID namespace (`pid:[4026531836]`): its pid means something only there. */
  readonly pidNs?: string;
  readonly since: string;
  readonly token: string;
}

// Folders held by this process: a second open here is refused like one from another process.
const heldHere = new Set<string>();

function bootId(): string | undefined {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function pidNamespace(): string | undefined {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return undefined;
  }
}

function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is only someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseHolder(text: string): Holder | undefined {
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string' || typeof holder.token !== 'string') return undefined;
    return holder as Holder;
  } catch {
    return undefined;
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    return parseHolder(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The lock at `path` as read, and why it still counts (undefined when its holder is gone). */
function judgeLock(path: string, folder: string, staleMs: number): { text: string | undefined; live: string | undefined } {
  let modified: number;
  let text: string;
  try {
    modified = statSync(path).mtimeMs;
    text = readFileSync(path, 'utf8');
  } catch {
    return { text: undefined, live: undefined };
  }
  return { text, live: liveHolder(parseHolder(text), Date.now() - modified < staleMs, folder, staleMs) };
}

function liveHolder(holder: Holder | undefined, fresh: boolean, folder: string, staleMs: number): string | undefined {
  // Half-written by a holder starting this very moment, or garbage: only a fresh one is respected.
  if (!holder) return fresh ? 'a bridge process that is starting' : undefined;
  const since = holder.since ? `, since ${holder.since}` : '';
  if (holder.host !== hostname()) return fresh ? `process ${holder.pid} on host ${holder.host}${since}` : undefined;
  const current = bootId();
  if (holder.bootId && current && holder.bootId !== current) return undefined;
  // Another container with this host's name (host networking): its pid is not visible from here, and the
  // same number may be another process. Unknown namespaces count as different, except where there are none.
  const namespace = pidNamespace();
  const samePids = holder.pidNs === namespace && (namespace !== undefined || process.platform !== 'linux');
  if (!samePids) {
    if (!fresh) return undefined;
    return `process ${holder.pid} on this machine${since}, which cannot be checked from this PID namespace (another container?); its lock counts until left untouched for ${Math.round(staleMs / 1000)} s`;
  }
  if (holder.pid === process.pid) return heldHere.has(folder) ? `this process${since}` : undefined;
  return processLives(holder.pid) ? `process ${holder.pid} on this machine${since}` : undefined;
}

// link() fails so where the filesystem has no hard links: vfat/exFAT, SMB/CIFS shares (Azure Files), some FUSE mounts.
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS']);

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Remove the lock at `path` if it is still the one read as `stale`, even when others try at the same moment.
 * Returns false when it was not removed (another process is clearing it, or has replaced it).
 *
 * Deleting by name would delete whatever lock is there by then: another process that judged the same lock
 * stale may already have replaced it with its own, live one. So the process that clears a stale lock is the
 * one that creates a claim named after its content, and only if the lock is still the stale one is `path`
 * deleted. Nobody else can replace it meanwhile: they would need the same claim.
 */
function clearStaleLock(path: string, stale: string, staleMs: number): boolean {
  const claim = `${path}.${createHash('sha256').update(stale).digest('hex').slice(0, 16)}.stale`;
  try {
    const claimed = claimLock(path, claim, staleMs);
    if (claimed === 'gone') return true;
    if (claimed === 'busy') return false;
    try {
      // A linked claim is the very file found at `path`; a created one holds nothing, so the lock is read again.
      const found = claimed === 'linked' ? readFileSync(claim, 'utf8') : readFileSync(path, 'utf8');
      if (found !== stale) return false;
      unlinkSync(path);
      return true;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return true;
      throw error;
    } finally {
      // A process that judged the same lock stale may claim it again later: it finds a different lock then.
      unlinkSync(claim);
    }
  } catch (error) {
    if (error instanceof DataDirInUseError) throw error;
    throw new DataDirInUseError(
      `its lock file ${path} was left by a bridge process that is gone, but it could not be cleared ` +
        `(${errorCode(error) ?? (error as Error).message}). If no bridge is using the folder, delete ${path} ` +
        `(and ${claim} if it exists), then start again.`,
    );
  }
}

/**
 * Claim the lock at `path` for clearing: as a second name for the file where the filesystem has hard links,
 * else as an empty file that only one process can create. Either way the claim's name is taken only once.
 */
function claimLock(path: string, claim: string, staleMs: number): 'linked' | 'created' | 'gone' | 'busy' {
  try {
    linkSync(path, claim);
    return 'linked';
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') return 'gone';
    if (code === 'EEXIST') return claimedByAnother(path, claim, staleMs);
    if (!NO_HARD_LINKS.has(code ?? '')) throw error;
  }
  try {
    closeSync(openSync(claim, 'wx', 0o600));
    return 'created';
  } catch (error) {
    if (errorCode(error) !== 'EEXIST') throw error;
    return claimedByAnother(path, claim, staleMs);
  }
}

function claimedByAnother(path: string, claim: string, staleMs: number): 'busy' {
  // Claims live for microseconds; one this old was left by a process that died while clearing.
  let age = 0;
  try {
    age = Date.now() - statSync(claim).ctimeMs;
  } catch {
    // Gone meanwhile: its process has just finished.
  }
  if (age > staleMs) {
    throw new DataDirInUseError(
      `a bridge process stopped while clearing its stale lock. If no bridge is using the folder, delete ${path} and ${claim}, then start again.`,
    );
  }
  return 'busy';
}

/**
 * Create the folder if needed, private to this user (the database inside holds sessions, tokens and the
 * migration ledger; PGlite creates its files world-writable), refuse one of another user's, and take its lock.
 */
export function lockDataDir(dataDir: string, options: DataDirLockOptions = {}): DataDirLock {
  const refreshMs = options.refreshMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  const folder = resolve(dataDir);
  // Another user's folder stays open to them whatever mode is set now (and root's chmod never fails, so it
  // would not notice); a symbolic link can be repointed by whoever may replace it.
  if (lstatSync(folder, { throwIfNoEntry: false })?.isSymbolicLink()) {
    throw new Error(`it is a symbolic link (to ${readlinkSync(folder)}): set database.dataDir to the folder itself`);
  }
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const found = lstatSync(folder);
  const uid = process.getuid?.();
  if (uid !== undefined && found.uid !== uid) {
    throw new Error(
      `the folder belongs to another user (uid ${found.uid}), so it cannot be made private to this one (uid ${uid}): ` +
        `run the bridge as its owner, or make this user its owner (chown -R ${uid} ${folder}), or choose another database.dataDir`,
    );
  }
  chmodSync(folder, 0o700);
  const path = join(folder, LOCK_FILE);
  const holder: Holder = {
    pid: process.pid,
    host: hostname(),
    bootId: bootId(),
    pidNs: pidNamespace(),
    since: new Date().toISOString(),
    token: randomUUID(),
  };

  for (let attempt = 0; ; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify(holder));
      } finally {
        closeSync(fd);
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const { text, live } = judgeLock(path, folder, staleMs);
      // The holder is gone (crashed, or the machine restarted): its lock is cleared once, unless another
      // process starting now is clearing or has replaced it.
      const cleared = !live && attempt === 0 && (text === undefined || clearStaleLock(path, text, staleMs));
      if (!cleared) {
        throw new DataDirInUseError(
          `it is in use by ${live ?? 'another bridge process'}. Stop that bridge first, or give each process its own ` +
            `database.dataDir, or share a PostgreSQL server (DATABASE_URL) between them.`,
        );
      }
    }
  }
  heldHere.add(folder);

  const refresh = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // Removed by hand: nothing to keep fresh; the database itself is unaffected.
    }
  }, refreshMs);
  refresh.unref();

  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      clearInterval(refresh);
      heldHere.delete(folder);
      // Only our own lock: one cleared by hand and taken by another process is theirs.
      if (readHolder(path)?.token === holder.token) unlinkSync(path);
    },
  };
}
