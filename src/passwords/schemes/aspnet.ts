import { randomBytes } from 'node:crypto';
import { decodeBase64 } from '../encoding/base64.js';
import { pbkdf2String } from '../encoding/passwap.js';
import type { DigestName } from '../primitives/digest.js';
import type { PasswordScheme, StoredCredential } from '../scheme.js';
import { verifyPbkdf2 } from './pbkdf2.js';

/**
 * ASP.NET Identity password hashes: base64 of a version byte and the PBKDF2 parameters. Like the
 * framework, an inconsistent payload (truncated, short subkey) verifies as false.
 */

interface AspnetHash {
  readonly hash: DigestName;
  readonly rounds: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PRF: readonly DigestName[] = ['sha1', 'sha256', 'sha512'];

function payload({ hash }: StoredCredential): Buffer | undefined {
  return BASE64.test(hash) ? decodeBase64(hash, { padding: 'required' }) : undefined;
}

/** Version 2: 0x00 ‖ salt(16) ‖ subkey(32), PBKDF2-HMAC-SHA1, 1000 rounds. */
function parseV2(bytes: Buffer): AspnetHash | undefined {
  if (bytes.length !== 49 || bytes[0] !== 0) return undefined;
  return { hash: 'sha1', rounds: 1000, salt: bytes.subarray(1, 17), key: bytes.subarray(17) };
}

/** Version 3: 0x01 ‖ prf ‖ iterations ‖ salt length (big-endian u32) ‖ salt ‖ subkey. */
function parseV3(bytes: Buffer): AspnetHash | undefined {
  if (bytes.length < 13 || bytes[0] !== 1) return undefined;
  const hash = PRF[bytes.readUInt32BE(1)];
  const rounds = bytes.readUInt32BE(5);
  const saltLength = bytes.readUInt32BE(9);
  // The framework's own minimums: 128-bit salt and subkey.
  if (!hash || saltLength < 16 || 13 + saltLength + 16 > bytes.length) return undefined;
  return { hash, rounds, salt: bytes.subarray(13, 13 + saltLength), key: bytes.subarray(13 + saltLength) };
}

function aspnetScheme(id: string, version: number, parse: (bytes: Buffer) => AspnetHash | undefined): PasswordScheme {
  return {
    id,
    blocking: false,
    identify: (stored) => payload(stored)?.[0] === version,
    verify: async (password, stored, ctx) => {
      const bytes = payload(stored);
      const fields = bytes ? parse(bytes) : undefined;
      if (!fields) return false;
      return verifyPbkdf2(id, password, fields.salt, fields.rounds, fields.hash, fields.key, ctx);
    },
    toZitadel: (stored) => {
      const bytes = payload(stored);
      const fields = bytes ? parse(bytes) : undefined;
      return fields ? pbkdf2String(fields.hash, fields.rounds, fields.salt, fields.key) : null;
    },
    dummy: () => {
      const header = Buffer.alloc(13);
      header.writeUInt8(version, 0);
      header.writeUInt32BE(1, 1);
      header.writeUInt32BE(100_000, 5);
      header.writeUInt32BE(16, 9);
      const bytes = version === 0 ? Buffer.concat([Buffer.of(0), randomBytes(48)]) : Buffer.concat([header, randomBytes(48)]);
      return { hash: bytes.toString('base64') };
    },
  };
}

export const aspnetIdentityV2Scheme = aspnetScheme('aspnet-identity-v2', 0, parseV2);
export const aspnetIdentityV3Scheme = aspnetScheme('aspnet-identity-v3', 1, parseV3);
