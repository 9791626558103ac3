import type { SchemeContext, StoredCredential } from '../scheme.js';

/** Messages between the pool and its workers. */

export type WorkerInit = SchemeContext;

export interface WorkerJob {
  readonly id: number;
  readonly scheme: string;
  readonly password: Uint8Array;
  readonly stored: StoredCredential;
}

export type WorkerReply =
  | { readonly id: number; readonly ok: boolean }
  | { readonly id: number; readonly error: { readonly kind: 'format' | 'bounds' | 'other'; readonly scheme: string; readonly detail: string } };
