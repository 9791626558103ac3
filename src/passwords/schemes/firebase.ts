import { createCipheriv, randomBytes } from 'node:crypto';
import { decodeBase64 } from '../encoding/base64.js';
import { constantTimeEqual } from '../primitives/compare.js';
import { scrypt } from '../primitives/scrypt.js';
import type { PasswordScheme, SchemeContext, StoredCredential } from '../scheme.js';
import { boundScrypt } from './scrypt.js';
import { decimal, malformed, primitive } from './support.js';

/**
 * Firebase Authentication's modified scrypt: key = scrypt(password, salt ‖ separator, 2^memCost,
 * rounds, 1, 64), hash = AES-256-CTR(key[0..32], zero IV) of the project's signer key. Either the
 * packed `$firebasescrypt$ln=…,r=…$salt$hash$separator$signerKey` form, or the export's bare
 * passwordHash with the salt column and the project settings from configuration.
 */

const ID = 'firebase-scrypt';
const PACKED = /^\$firebasescrypt\$ln=(\d+),r=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]*)\$([A-Za-z0-9+/=]+)$/;
const BARE = /^[A-Za-z0-9+/]{86}==$/;

interface FirebaseHash {
  readonly memCost: number;
  readonly rounds: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
  readonly separator: Buffer;
  readonly signerKey: Buffer;
}

function parse(stored: StoredCredential, ctx: SchemeContext): FirebaseHash {
  const m = PACKED.exec(stored.hash);
  if (m) {
    const [memCost, rounds] = [decimal(m[1]), decimal(m[2])];
    const [salt, hash, separator, signerKey] = [m[3], m[4], m[5], m[6]].map((part) => decodeBase64(part ?? ''));
    if (memCost === undefined || rounds === undefined || !salt || !hash || !separator || !signerKey) return malformed(ID, 'bad packed field');
    return { memCost, rounds, salt, hash, separator, signerKey };
  }
  const project = ctx.options.firebase;
  if (!project) return malformed(ID, 'bare Firebase hash without project settings');
  const hash = BARE.test(stored.hash) ? decodeBase64(stored.hash) : undefined;
  const salt = decodeBase64(stored.salt ?? '');
  const separator = decodeBase64(project.saltSeparator);
  const signerKey = decodeBase64(project.signerKey);
  if (!hash || !salt || salt.length === 0 || !separator || !signerKey) return malformed(ID, 'needs base64 hash, salt and project keys');
  return { memCost: project.memCost, rounds: project.rounds, salt, hash, separator, signerKey };
}

async function verifyFirebase(password: Uint8Array, parsed: FirebaseHash, ctx: SchemeContext): Promise<boolean> {
  const params = { logN: parsed.memCost, r: parsed.rounds, p: 1 };
  boundScrypt(ID, params, 64, ctx);
  const key = await primitive(ID, () => scrypt(password, Buffer.concat([parsed.salt, parsed.separator]), { ...params, keyLength: 64 }));
  const cipher = createCipheriv('aes-256-ctr', key.subarray(0, 32), Buffer.alloc(16));
  const computed = Buffer.concat([cipher.update(parsed.signerKey), cipher.final()]);
  return constantTimeEqual(computed, parsed.hash);
}

export const firebaseScryptScheme: PasswordScheme = {
  id: ID,
  blocking: false,
  identify: (stored) => stored.hash.startsWith('$firebasescrypt$') || (BARE.test(stored.hash) && typeof stored.salt === 'string' && stored.salt.length > 0),
  verify: async (password, stored, ctx) => verifyFirebase(password, parse(stored, ctx), ctx),
  // ZITADEL has no Firebase verifier, and the signer key must not leave the bridge.
  toZitadel: () => null,
  dummy: () => {
    const b64 = (n: number): string => randomBytes(n).toString('base64');
    return { hash: `$firebasescrypt$ln=14,r=8$${b64(10)}$${b64(64)}$Bw==$${b64(64)}` };
  },
};
