import { randomInt } from 'node:crypto';
import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { createDemoShapedTable, DEMO_COLUMNS, DEMO_DISABLED_WHEN } from '../../src/legacy/demo-seed.js';
import type { Queryable } from '../../src/store/database.js';

/** A legacy user as a test writes it: the password in clear, stored by `store` in the legacy format. */
export interface TestUser {
  readonly username: string;
  readonly email?: string | null;
  readonly emailVerified?: boolean;
  readonly firstName?: string | null;
  readonly lastName?: string | null;
  readonly displayName?: string | null;
  readonly phone?: string | null;
  readonly locale?: string | null;
  readonly active?: boolean;
  readonly password: string | null;
  readonly store?: (password: string) => Promise<{ hash: string; salt?: string }>;
}

export const storeBcrypt = async (password: string) => ({ hash: (await bcrypt.hash(password, 5)).replace(/^\$2b\$/, '$2y$') });
export const storeArgon2id = async (password: string) => ({
  hash: await argon2Hash(password, { algorithm: 2, memoryCost: 8192, timeCost: 1, parallelism: 1 }),
});
export const storeArgon2i = async (password: string) => ({
  hash: await argon2Hash(password, { algorithm: 1, memoryCost: 8192, timeCost: 2, parallelism: 1 }),
});

/** The users most tests need: one per core format, a disabled one, one without names, one without password. */
export const STANDARD_USERS: readonly TestUser[] = [
  { username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', displayName: 'Alice Liddell', locale: 'en', phone: '+41 79 000 00 00', password: 'wonderland', store: storeBcrypt },
  { username: 'bob', email: 'Bob@Example.com', emailVerified: false, firstName: 'Bob', lastName: 'Builder', password: 'can-we-fix-it', store: storeArgon2id },
  { username: 'dave', email: 'dave@example.com', displayName: 'Dave', password: 'daisy daisy ', store: storeArgon2i },
  { username: 'carol', email: 'carol@example.com', firstName: 'Carol', lastName: 'Danvers', active: false, password: 'higher-further', store: storeBcrypt },
  { username: 'erin', email: 'erin@example.com', firstName: 'Erin', lastName: 'Nohash', password: null },
];

/** A legacy users table of the demo's shape (PostgreSQL) holding `users`; their ids by username. */
export async function createLegacyTable(db: Queryable, table: string, users: readonly TestUser[]): Promise<Map<string, string>> {
  await createDemoShapedTable(db, table);
  // Ids no other table of this test file has, at random: the bridge's ledger and throttle key rows by legacy
  // id, and each file's bridge database (a schema of its own, or its own PGlite) is shared by the file's
  // concurrent tests and migration worlds. Kept within the 32-bit `serial`, with room for the users.
  await db.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), $1)`, [randomInt(1_000_000, 2_000_000_000)]);
  const ids = new Map<string, string>();
  for (const user of users) {
    const stored = user.password !== null && user.store ? await user.store(user.password) : undefined;
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO ${table} (username, email, email_verified, first_name, last_name, display_name, phone, locale, password_hash, salt, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
      [
        user.username,
        user.email ?? null,
        user.emailVerified ?? true,
        user.firstName ?? null,
        user.lastName ?? null,
        user.displayName ?? null,
        user.phone ?? null,
        user.locale ?? null,
        stored?.hash ?? null,
        stored?.salt ?? null,
        user.active ?? true,
      ],
    );
    ids.set(user.username, String(rows[0]!.id));
  }
  return ids;
}

/** The `legacy` configuration section for that table. */
export function legacySection(table: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { table, columns: DEMO_COLUMNS, disabledWhen: DEMO_DISABLED_WHEN, ...extra };
}
