import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { DEMO_TABLE } from '../config/demo.js';
import type { Queryable } from '../store/database.js';

export interface DemoUser {
  readonly username: string;
  readonly password: string;
  readonly format: string;
  readonly note: string;
}

interface SeedRow {
  readonly username: string;
  readonly email: string;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly displayName: string | null;
  readonly active: boolean;
  readonly password: string;
  readonly format: string;
  readonly note: string;
  /** Produces the stored hash (and salt column) in the user's legacy format. */
  readonly store: (password: string) => Promise<{ hash: string; salt?: string }>;
}

// bcrypt as PHP writes it ($2y$); the bcrypt package writes $2b$, the same algorithm.
const bcryptPhp = async (password: string) => ({ hash: (await bcrypt.hash(password, 10)).replace(/^\$2b\$/, '$2y$') });

const ROWS: readonly SeedRow[] = [
  { username: 'alice', email: 'alice@example.com', firstName: 'Alice', lastName: 'Liddell', displayName: 'Alice Liddell', active: true, password: 'wonderland', format: 'bcrypt', note: 'bcrypt $2y$ (PHP, Laravel)', store: bcryptPhp },
  {
    username: 'bob', email: 'bob@example.com', firstName: 'Bob', lastName: 'Builder', displayName: null, active: true, password: 'can-we-fix-it', format: 'argon2id', note: 'argon2id (PHP 7.3+, Symfony)',
    store: async (password) => ({ hash: await argon2Hash(password, { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 }) }),
  },
  {
    username: 'dave', email: 'dave@example.com', firstName: null, lastName: null, displayName: 'Dave', active: true, password: 'daisy-daisy', format: 'argon2i', note: 'argon2i; no first or last name (fallbacks apply)',
    store: async (password) => ({ hash: await argon2Hash(password, { algorithm: 1, memoryCost: 8192, timeCost: 3, parallelism: 1 }) }),
  },
  { username: 'carol', email: 'carol@example.com', firstName: 'Carol', lastName: 'Danvers', displayName: 'Carol Danvers', active: false, password: 'higher-further', format: 'bcrypt', note: 'disabled account: login always fails', store: bcryptPhp },
];

/** The demo users and their passwords, as printed at start-up and listed in the README. */
export const DEMO_USERS: readonly DemoUser[] = ROWS.map(({ username, password, format, note }) => ({ username, password, format, note }));

/** Create and fill the demo users table unless it exists already. */
export async function seedDemoUsers(db: Queryable): Promise<boolean> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${DEMO_TABLE} (
    id serial PRIMARY KEY,
    username text NOT NULL UNIQUE,
    email text NOT NULL UNIQUE,
    email_verified boolean NOT NULL DEFAULT true,
    first_name text,
    last_name text,
    display_name text,
    phone text,
    locale text,
    password_hash text,
    salt text,
    active boolean NOT NULL DEFAULT true
  )`);
  const { rows } = await db.query<{ count: string }>(`SELECT count(*) AS count FROM ${DEMO_TABLE}`);
  if (Number(rows[0]?.count) > 0) return false;
  for (const row of ROWS) {
    const stored = await row.store(row.password);
    await db.query(
      `INSERT INTO ${DEMO_TABLE} (username, email, first_name, last_name, display_name, locale, password_hash, salt, active)
       VALUES ($1, $2, $3, $4, $5, 'en', $6, $7, $8) ON CONFLICT (username) DO NOTHING`,
      [row.username, row.email, row.firstName, row.lastName, row.displayName, stored.hash, stored.salt ?? null, row.active],
    );
  }
  return true;
}
