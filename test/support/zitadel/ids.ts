// ZITADEL ids are decimal snowflakes (about 18 digits); a millisecond clock times 10^5 plus a counter looks
// the same and never repeats within one process.
let last = BigInt(Date.now()) * 100000n;

export function newId(): string {
  const now = BigInt(Date.now()) * 100000n;
  last = now > last ? now : last + 1n;
  return last.toString();
}
