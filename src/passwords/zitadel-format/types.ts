import type { CostBounds } from '../scheme.js';
import type { ZitadelLimits, ZitadelVerifier } from './limits.js';

/** A hash string as one of ZITADEL's verifiers has parsed it. */
export interface ZitadelHash {
  readonly verifier: ZitadelVerifier;
  /** Its cost parameters, by the names of ZITADEL's limits. */
  readonly params: Readonly<Record<string, number>>;
  /** The parameter outside ZITADEL's import limits, if any (passwap's BoundsError). */
  outOfLimits(limits: ZitadelLimits): string | undefined;
  /** The parameter over the bridge's own work bounds, if any: checked before `verify` computes. */
  overBounds(bounds: CostBounds): string | undefined;
  verify(password: Uint8Array): Promise<boolean>;
}

export interface ZitadelVerifierSpec {
  readonly name: ZitadelVerifier;
  /** `undefined` when passwap would skip the string (not its format, or a parse error). */
  parse(encoded: string): ZitadelHash | undefined;
}

/** `undefined` when `value` is within [min, max], else a description naming the parameter. */
export function outside(parameter: string, value: number, min: number, max: number): string | undefined {
  return value >= min && value <= max ? undefined : `${parameter} outside ${min}–${max}`;
}

export function above(parameter: string, value: number, max: number): string | undefined {
  return value <= max ? undefined : `${parameter} above the bridge's cap of ${max}`;
}
