import { parentPort, workerData } from 'node:worker_threads';
import { getScheme } from '../registry.js';
import { HashBoundsError, HashFormatError, runsInWorker } from '../scheme.js';
import type { WorkerInit, WorkerJob, WorkerReady, WorkerReply } from './protocol.js';

/** A worker thread running the same registry for schemes whose work is synchronous JavaScript. */

const ctx = workerData as WorkerInit;
const port = parentPort;

async function handle(job: WorkerJob): Promise<WorkerReply> {
  const scheme = getScheme(job.scheme);
  if (!scheme) return { id: job.id, error: { kind: 'other', scheme: job.scheme, detail: 'unknown scheme' } };
  // Native work here would abort the process should the pool stop this thread at a deadline.
  if (!runsInWorker(scheme, job.password, job.stored)) return { id: job.id, error: { kind: 'other', scheme: job.scheme, detail: 'not computed in JavaScript' } };
  try {
    return { id: job.id, ok: await scheme.verify(job.password, job.stored, ctx) };
  } catch (error) {
    if (error instanceof HashFormatError) return { id: job.id, error: { kind: 'format', scheme: error.scheme, detail: error.detail } };
    if (error instanceof HashBoundsError) return { id: job.id, error: { kind: 'bounds', scheme: error.scheme, detail: error.detail } };
    return { id: job.id, error: { kind: 'other', scheme: job.scheme, detail: 'verification failed in a worker' } };
  }
}

port?.on('message', (job: WorkerJob) => {
  void handle(job).then((reply) => port.postMessage(reply));
});
port?.postMessage({ ready: true } satisfies WorkerReady);
