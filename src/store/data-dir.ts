import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, utimesSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The embedded database's folder, made private and held by one process at a time.
 *
 * Two PGlite instances on one folder each replay the write-ahead log and write the same files, which
 * corrupts them; PGlite itself does not prevent it. A lock file names the holder: a holder on this machine
 * counts only while its process lives (and the machine has not rebooted), one on another host (a container
 * sharing the volume) while it keeps touching the file.
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

function processLives(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is only someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): Holder | undefined {
  try {
    const holder = JSON.parse(readFileSync(path, 'utf8')) as Partial<Holder>;
    if (typeof holder.pid !== 'number' || typeof holder.host !== 'string' || typeof holder.token !== 'string') return undefined;
    return holder as Holder;
  } catch {
    return undefined;
  }
}

/** Why the lock at `path` still counts, or undefined when its holder is gone. */
function liveHolder(path: string, folder: string, staleMs: number): string | undefined {
  let modified: number;
  try {
    modified = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  const holder = readHolder(path);
  const fresh = Date.now() - modified < staleMs;
  // Half-written by a holder starting this very moment, or garbage: only a fresh one is respected.
  if (!holder) return fresh ? 'a bridge process that is starting' : undefined;
  const since = holder.since ? `, since ${holder.since}` : '';
  if (holder.host !== hostname()) return fresh ? `process ${holder.pid} on host ${holder.host}${since}` : undefined;
  const current = bootId();
  if (holder.bootId && current && holder.bootId !== current) return undefined;
  if (holder.pid === process.pid) return heldHere.has(folder) ? `this process${since}` : undefined;
  return processLives(holder.pid) ? `process ${holder.pid} on this machine${since}` : undefined;
}

/**
 * Create the folder if needed, private to this user (the database inside holds sessions, tokens and the
 * migration ledger; PGlite creates its files world-writable), and take its lock.
 */
export function lockDataDir(dataDir: string, options: DataDirLockOptions = {}): DataDirLock {
  const refreshMs = options.refreshMs ?? 10_000;
  const staleMs = options.staleMs ?? 60_000;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dataDir, 0o700);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') throw error;
    throw new Error(`the folder belongs to another user, so it cannot be made private to this one: run the bridge as its owner, or choose another database.dataDir`);
  }
  const folder = resolve(dataDir);
  const path = join(folder, LOCK_FILE);
  const holder: Holder = { pid: process.pid, host: hostname(), bootId: bootId(), since: new Date().toISOString(), token: randomUUID() };

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
      const live = liveHolder(path, folder, staleMs);
      if (live || attempt > 0) {
        throw new DataDirInUseError(
          `it is in use by ${live ?? 'another bridge process'}. Stop that bridge first, or give each process its own ` +
            `database.dataDir, or share a PostgreSQL server (DATABASE_URL) between them.`,
        );
      }
      // The holder is gone (crashed, or the machine restarted): its lock is cleared once.
      unlinkSync(path);
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
