import type { Worker } from 'node:worker_threads';
import { spawnWorker } from '../../runtime/worker-thread.js';
import { HashBoundsError, HashFormatError } from '../scheme.js';
import type { StoredCredential } from '../scheme.js';
import type { WorkerInit, WorkerJob, WorkerReply } from './protocol.js';

/**
 * A small pool of worker threads for blocking schemes. Workers start on demand, hold a reference on
 * the event loop only while they have work (so an idle pool never keeps a process alive), and are
 * terminated by `close()`.
 */

interface Pending {
  readonly job: WorkerJob;
  readonly resolve: (ok: boolean) => void;
  readonly reject: (error: Error) => void;
}

interface Slot {
  readonly worker: Worker;
  current?: Pending;
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
    for (const slot of slots) {
      slot.current?.reject(error);
      slot.current = undefined;
    }
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.waiting.length > 0) {
      const slot = this.slots.find((candidate) => !candidate.current) ?? this.grow();
      if (!slot) return;
      const pending = this.waiting.shift();
      if (!pending) return;
      slot.current = pending;
      slot.worker.ref();
      slot.worker.postMessage(pending.job);
    }
  }

  private grow(): Slot | undefined {
    if (this.slots.length >= this.size) return undefined;
    const slot: Slot = { worker: spawnWorker(new URL('./worker.js', import.meta.url), { workerData: this.init }) };
    slot.worker.unref();
    slot.worker.on('message', (reply: WorkerReply) => {
      const pending = slot.current;
      if (!pending || pending.job.id !== reply.id) return;
      slot.current = undefined;
      slot.worker.unref();
      if ('error' in reply) pending.reject(toError(reply.error));
      else pending.resolve(reply.ok);
      this.dispatch();
    });
    const fail = (error: Error): void => {
      const at = this.slots.indexOf(slot);
      if (at >= 0) this.slots.splice(at, 1);
      slot.current?.reject(error);
      slot.current = undefined;
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
