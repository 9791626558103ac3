import { passwordsConfigSchema, schemeOptions } from '../../../src/passwords/config.js';
import type { SchemeContext } from '../../../src/passwords/scheme.js';
import { sourceFor } from '../../../src/passwords/vector-line.js';
import type { Vector } from './vectors.js';

/** The scheme context a legacy source configured for this vector line would use. */
export function contextFor(vector: Vector): SchemeContext {
  const source = passwordsConfigSchema.parse(sourceFor(vector));
  return { bounds: source.bounds, options: schemeOptions(source.options) };
}
