import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../runtime/worker-thread.js';
import { PasswordTimeoutError } from '../errors.js';
import { HashBoundsError, HashFormatError } from '../scheme.js';
import type { StoredCredential } from '../scheme.js';
import type { WorkerInit, WorkerJob, WorkerReady, WorkerReply } from './protocol.js';

/**
 * A small pool of worker threads for blocking schemes. Workers start on demand, hold a reference on
 * the event loop only while they have work (so an idle pool never keeps a process alive), and are
 * terminated by `close()`. A job still running at its deadline is answered with PasswordTimeoutError and
 * its worker terminated (JavaScript cannot be interrupted otherwise); the next job starts a fresh one.
 */

interface Pending {
  readonly job: WorkerJob;
  readonly resolve: (ok: boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  ready: boolean;
  current?: Pending;
  deadline?: NodeJS.Timeout;
}

function toError(reply: Extract<WorkerReply, { error: unknown }>['error']): Error {
  if (reply.kind === 'format') return new HashFormatError(reply.scheme, reply.detail);
  if (reply.kind === 'bounds') return new HashBoundsError(reply.scheme, reply.detail);
  return new Error(`${reply.scheme}: ${reply.detail}`);
}

export class WorkerPool {
  private readonly slots: Slot[] = [];
  private readonly waiting: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly init: WorkerInit,
    private readonly deadlineMs: number,
  ) {}

  run(scheme: string, password: Uint8Array, stored: StoredCredential): Promise<boolean> {
    if (this.closed) return Promise.reject(new Error('password worker pool is closed'));
    return new Promise<boolean>((resolve, reject) => {
      // A copy in its own small buffer: a pooled Buffer would clone its whole 8 KiB slab.
      const job = { id: this.nextId++, scheme, password: new Uint8Array(password), stored: { hash: stored.hash, salt: stored.salt ?? null } };
      this.waiting.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const error = new Error('password worker pool closed');
    for (const pending of this.waiting.splice(0)) pending.reject(error);
    const slots = this.slots.splice(0);
    // A verification still running is answered too: its worker is about to be stopped mid-way.
    for (const slot of slots) this.finish(slot)?.reject(error);
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const slot = this.slots.find((candidate) => !candidate.current) ?? this.grow();
      if (!slot) return;
      const pending = this.waiting.shift();
      if (!pending) return;
      slot.current = pending;
      if (slot.ready) this.startDeadline(slot);
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }

  /** The deadline counts the computation, not the start of a thread and its modules (seconds on a loaded machine). */
  private startDeadline(slot: Slot): void {
    slot.deadline = setTimeout(() => this.expire(slot), this.deadlineMs);
  }

  /** Free `slot` of its job, returning the job. */
  private finish(slot: Slot): Pending | undefined {
    const pending = slot.current;
    clearTimeout(slot.deadline);
    slot.current = undefined;
    slot.deadline = undefined;
    return pending;
  }

  /** The job of `slot` has run too long: out of the pool first, so its exit is not reported as a failure. */
  private expire(slot: Slot): void {
    const at = this.slots.indexOf(slot);
    if (at >= 0) this.slots.splice(at, 1);
    const pending = this.finish(slot);
    void slot.worker.terminate();
    pending?.reject(new PasswordTimeoutError(pending.job.scheme, this.deadlineMs));
    if (!this.closed) this.dispatch();
  }

  private grow(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const slot: Slot = { worker: spawnWorker(new URL('./worker.js', import.meta.url), { workerData: this.init }), ready: false };
    slot.worker.unref();
    slot.worker.on('message', (reply: WorkerReady | WorkerReply) => {
      if ('ready' in reply) {
        slot.ready = true;
        if (slot.current) this.startDeadline(slot);
        return;
      }
      if (slot.current?.job.id !== reply.id) return;
      // The job this reply answers is the slot's current one (checked just above).
      const pending = this.finish(slot)!;
      slot.worker.unref();
      if ('error' in reply) pending.reject(toError(reply.error));
      else pending.resolve(reply.ok);
      this.dispatch();
    });
    const fail = (error: Error): void => {
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      this.finish(slot)?.reject(error);
      if (!this.closed) this.dispatch();
    };
    slot.worker.on('error', (error) => fail(new Error(`password worker failed: ${error.message}`)));
    slot.worker.on('exit', (code) => {
      if (this.slots.includes(slot)) fail(new Error(`password worker exited (${code})`));
    });
    this.slots.push(slot);
    return slot;
  }
}
