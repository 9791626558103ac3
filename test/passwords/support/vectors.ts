import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseVectorLine, type VectorLine } from '../../../src/passwords/vector-line.js';

/**
 * The shared known-answer vectors: `../shared/vectors/` next to the checkout when present (it may be
 * newer), else the copy committed under `test/vectors/`.
 */

const root = fileURLToPath(new URL('../../../', import.meta.url));
const shared = `${root}../shared/vectors/legacy-hashes.jsonl`;
const copy = `${root}test/vectors/legacy-hashes.jsonl`;

export const VECTORS_FILE = existsSync(shared) ? shared : copy;

export interface Vector extends VectorLine {
  /** 1-based line number in the file. */
  readonly line: number;
  readonly zitadelNative: boolean;
  readonly zitadelLimitsOk: boolean | null;
}

export function loadVectors(): Vector[] {
  const vectors: Vector[] = [];
  readFileSync(VECTORS_FILE, 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (!text.trim()) return;
      const parsed = parseVectorLine(text);
      if ('error' in parsed) throw new Error(`vectors line ${i + 1}: ${parsed.error}`);
      const raw = JSON.parse(text) as { zitadel_native?: boolean; zitadel_limits_ok?: boolean | null };
      vectors.push({ ...parsed, line: i + 1, zitadelNative: raw.zitadel_native === true, zitadelLimitsOk: raw.zitadel_limits_ok ?? null });
    });
  return vectors;
}

/** Vectors grouped by format, in file order. */
export function byFormat(vectors: readonly Vector[]): Map<string, Vector[]> {
  const groups = new Map<string, Vector[]>();
  for (const vector of vectors) groups.set(vector.format, [...(groups.get(vector.format) ?? []), vector]);
  return groups;
}

/** What the vectors say the hand-off of a verified line must be when every ZITADEL verifier is enabled. */
export function expectedHandOff(vector: Vector): 'native' | 'reencoded' | 'rehash' {
  if (vector.zitadelHash && vector.zitadelLimitsOk) return vector.zitadelHash === vector.hash ? 'native' : 'reencoded';
  return 'rehash';
}

/** A password that differs from `password` in its first byte, so even bcrypt's 72-byte truncation sees it. */
export function wrongPassword(password: string): string {
  return `x${password}`;
}
