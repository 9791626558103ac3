/**
 * Password schemes through the facade (identification, bounds, limiter, worker pool) against the bare
 * primitive with the same parameters, measured in the same run and interleaved.
 *
 *   npx node --import tsx bench/password-schemes.ts [seconds-per-round]
 */
import { pbkdf2 as pbkdf2Callback, randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { promisify } from 'node:util';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { createPasswordChecker } from '../src/passwords/index.js';
import { encodeAb64 } from '../src/passwords/encoding/base64.js';
import { shaCryptChecksum } from '../src/passwords/primitives/sha-crypt.js';

const pbkdf2 = promisify(pbkdf2Callback);
const SECONDS = Number(process.argv[2] ?? 3);
const ROUNDS = 5;
const PASSWORD = 'correct horse battery staple';

interface Case {
  readonly name: string;
  readonly scheme: string;
  readonly hash: string;
  readonly primitive: () => Promise<unknown>;
}

async function cases(): Promise<Case[]> {
  const bcryptHash = await bcrypt.hash(PASSWORD, 10);
  const argon2 = await argon2Hash(PASSWORD, { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 });
  const salt = randomBytes(16);
  const rounds = 100_000;
  const key = await pbkdf2(PASSWORD, salt, rounds, 32, 'sha256');
  const shaSalt = 'benchsaltbench16';
  const checksum = shaCryptChecksum('sha512', Buffer.from(PASSWORD), Buffer.from(shaSalt), 5000);
  return [
    { name: 'bcrypt cost 10', scheme: 'bcrypt', hash: bcryptHash, primitive: () => bcrypt.compare(PASSWORD, bcryptHash) },
    { name: 'argon2id m=19456 t=2 p=1', scheme: 'argon2id', hash: argon2, primitive: () => argon2Verify(argon2, PASSWORD) },
    {
      name: 'PBKDF2-SHA256 100000',
      scheme: 'pbkdf2-sha256',
      hash: `$pbkdf2-sha256$${rounds}$${encodeAb64(salt)}$${encodeAb64(key)}`,
      primitive: () => pbkdf2(PASSWORD, salt, rounds, 32, 'sha256'),
    },
    {
      name: 'sha512-crypt 5000',
      scheme: 'sha512-crypt',
      hash: `$6$${shaSalt}$${checksum}`,
      primitive: async () => shaCryptChecksum('sha512', Buffer.from(PASSWORD), Buffer.from(shaSalt), 5000),
    },
  ];
}

/** Operations per second with `concurrency` operations in flight. */
async function measure(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<number> {
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (performance.now() < end) {
      await op();
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  return done / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const cpus = availableParallelism();
  process.stdout.write(`${cpus} CPUs, ${SECONDS} s per round, best of ${ROUNDS} interleaved rounds (alternating which side goes first), sequential (1 in flight)\n\n`);
  process.stdout.write(`${'scheme'.padEnd(26)} ${'bare ops/s'.padStart(11)} ${'checker ops/s'.padStart(14)} ${'ratio'.padStart(7)} ${'overhead'.padStart(9)}\n`);
  for (const c of await cases()) {
    const checker = createPasswordChecker({ schemes: [c.scheme], queueLimit: 1000 });
    const stored = { hash: c.hash };
    const viaChecker = async (): Promise<void> => {
      if (!(await checker.verify(PASSWORD, stored)).ok) throw new Error(`${c.name}: checker did not verify`);
    };
    await c.primitive();
    await viaChecker();
    let bare = 0;
    let facade = 0;
    // Which side runs first alternates, so a slow spell of the machine does not always land on the same side.
    for (let round = 0; round < ROUNDS; round++) {
      const first = round % 2 === 0 ? c.primitive : viaChecker;
      const second = round % 2 === 0 ? viaChecker : c.primitive;
      const a = await measure(first, 1, SECONDS);
      const b = await measure(second, 1, SECONDS);
      bare = Math.max(bare, round % 2 === 0 ? a : b);
      facade = Math.max(facade, round % 2 === 0 ? b : a);
    }
    await checker.close();
    const ratio = facade / bare;
    process.stdout.write(
      `${c.name.padEnd(26)} ${bare.toFixed(1).padStart(11)} ${facade.toFixed(1).padStart(14)} ${ratio.toFixed(3).padStart(7)} ${`${((1 - ratio) * 100).toFixed(1)} %`.padStart(9)}\n`,
    );
  }
}

await main();
