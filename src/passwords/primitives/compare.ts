import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time equality. Different lengths are unequal, but still cost one comparison, so the time
 * depends on the expected length only.
 */
export function constantTimeEqual(actual: Uint8Array, expected: Uint8Array): boolean {
  if (actual.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(actual, expected);
}

export function constantTimeEqualText(actual: string, expected: string): boolean {
  return constantTimeEqual(Buffer.from(actual, 'utf8'), Buffer.from(expected, 'utf8'));
}
