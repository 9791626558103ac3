import { hash as argon2Hash } from '@node-rs/argon2';
import bcrypt from 'bcrypt';
import { writeDjangoPbkdf2, writeLdapSsha, writePhpass, writeSaltedSha256, writeSha512Crypt } from '../passwords/index.js';
import type { Queryable } from '../store/database.js';

/** The demo users table, seeded into the bridge database. */
export const DEMO_TABLE = 'legacy_demo_users';

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

const argon2 = (algorithm: 1 | 2, memoryCost: number, timeCost: number) => async (password: string) => ({
  hash: await argon2Hash(password, { algorithm, memoryCost, timeCost, parallelism: 1 }),
});
const sync = (write: (password: string) => string) => async (password: string) => ({ hash: write(password) });
const person = (username: string, firstName: string | null, lastName: string | null, displayName: string | null) => ({
  username,
  email: `${username}@example.com`,
  firstName,
  lastName,
  displayName,
  active: true,
});

const ROWS: readonly SeedRow[] = [
  { ...person('alice', 'Alice', 'Liddell', 'Alice Liddell'), password: 'wonderland', format: 'bcrypt', note: 'bcrypt $2y$ (PHP, Laravel)', store: bcryptPhp },
  { ...person('bob', 'Bob', 'Builder', null), password: 'can-we-fix-it', format: 'argon2id', note: 'argon2id (PHP 7.3+, Symfony)', store: argon2(2, 19456, 2) },
  { ...person('dave', null, null, 'Dave'), password: 'daisy-daisy', format: 'argon2i', note: 'argon2i; no first or last name (fallbacks apply)', store: argon2(1, 8192, 3) },
  { ...person('wendy', 'Wendy', 'Press', 'Wendy Press'), password: 'hello-world', format: 'phpass', note: 'phpass $P$ (WordPress before 6.8)', store: sync((p) => writePhpass(p)) },
  { ...person('grace', 'Grace', 'Hopper', 'Grace Hopper'), password: 'cobol-1959', format: 'django-pbkdf2-sha256', note: 'Django pbkdf2_sha256$ (re-encoded for ZITADEL)', store: (p) => writeDjangoPbkdf2(p).then((hash) => ({ hash })) },
  { ...person('linus', 'Linus', 'Directory', null), password: 'cn=admin', format: 'ldap-ssha', note: 'OpenLDAP {SSHA}', store: sync(writeLdapSsha) },
  { ...person('sam', 'Sam', 'Salt', 'Sam Salt'), password: 'pinch-of-salt', format: 'sha256-salted', note: 'sha256(salt+password), salt in its own column', store: async (p) => writeSaltedSha256(p) },
  { ...person('tux', 'Tux', 'Penguin', null), password: 'etc-shadow', format: 'sha512-crypt', note: 'sha512-crypt $6$ (/etc/shadow)', store: sync(writeSha512Crypt) },
  { ...person('carol', 'Carol', 'Danvers', 'Carol Danvers'), active: false, password: 'higher-further', format: 'bcrypt', note: 'disabled account: login always fails', store: bcryptPhp },
];

/** The hash formats the demo table holds, for the demo configuration. */
export const DEMO_SCHEMES = [...new Set(ROWS.map((row) => row.format))];

/** The demo users and their passwords, as printed at start-up and listed in the README. */
export const DEMO_USERS: readonly DemoUser[] = ROWS.map(({ username, password, format, note }) => ({ username, password, format, note }));

/** How the demo table's columns map to users: the shape many legacy users tables have. */
export const DEMO_COLUMNS = {
  id: 'id',
  login: ['username', 'email'],
  passwordHash: 'password_hash',
  salt: 'salt',
  email: 'email',
  emailVerified: 'email_verified',
  givenName: 'first_name',
  familyName: 'last_name',
  name: 'display_name',
  preferredUsername: 'username',
  phoneNumber: 'phone',
  locale: 'locale',
};

/** The SQL that marks a disabled user of such a table. */
export const DEMO_DISABLED_WHEN = 'active = false';

/** Create a users table of the demo's shape (PostgreSQL), unless it exists. */
export async function createDemoShapedTable(db: Queryable, table: string): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS ${table} (
    id serial PRIMARY KEY,
    username text NOT NULL UNIQUE,
    email text UNIQUE,
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
  // Case-insensitive login compares lower(column): without these indexes every login scans the table.
  await db.query(`CREATE INDEX IF NOT EXISTS ${table}_lower_username ON ${table} (lower(username))`);
  await db.query(`CREATE INDEX IF NOT EXISTS ${table}_lower_email ON ${table} (lower(email))`);
}

/** Create the demo users table if needed and add the demo users it lacks. */
export async function seedDemoUsers(db: Queryable): Promise<boolean> {
  await createDemoShapedTable(db, DEMO_TABLE);
  // Users added to the demo since the table was created are filled in; existing rows stay as they are.
  const { rows } = await db.query<{ username: string }>(`SELECT username FROM ${DEMO_TABLE}`);
  const present = new Set(rows.map((row) => row.username));
  const missing = ROWS.filter((row) => !present.has(row.username));
  for (const row of missing) {
    const stored = await row.store(row.password);
    await db.query(
      `INSERT INTO ${DEMO_TABLE} (username, email, first_name, last_name, display_name, locale, password_hash, salt, active)
       VALUES ($1, $2, $3, $4, $5, 'en', $6, $7, $8) ON CONFLICT (username) DO NOTHING`,
      [row.username, row.email, row.firstName, row.lastName, row.displayName, stored.hash, stored.salt ?? null, row.active],
    );
  }
  return missing.length > 0;
}
