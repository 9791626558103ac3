import { createHash, createHmac } from 'node:crypto';

export type DigestName = 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512';

export const DIGEST_BYTES: Readonly<Record<DigestName, number>> = {
  md5: 16,
  sha1: 20,
  sha224: 28,
  sha256: 32,
  sha384: 48,
  sha512: 64,
};

export function digest(name: DigestName, ...parts: Uint8Array[]): Buffer {
  const hash = createHash(name);
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function hmac(name: DigestName, key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const mac = createHmac(name, key);
  for (const part of parts) mac.update(part);
  return mac.digest();
}

export function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}
