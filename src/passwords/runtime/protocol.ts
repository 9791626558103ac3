import type { SchemeContext, StoredCredential } from '../scheme.js';

/** Messages between the pool and its workers. */

export type WorkerInit = SchemeContext;

export interface WorkerJob {
  readonly id: number;
  readonly scheme: string;
  readonly password: Uint8Array;
  readonly stored: StoredCredential;
}

/** Sent once by a worker whose modules are loaded: the deadline of its first job starts then. */
export interface WorkerReady {
  readonly ready: true;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: boolean }
  | { readonly id: number; readonly error: { readonly kind: 'format' | 'bounds' | 'other'; readonly scheme: string; readonly detail: string } };
