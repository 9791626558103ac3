import test from 'ava';
import { parseConfig } from '../../src/config/load.js';
import type { LegacyConfig } from '../../src/config/schema.js';
import type { LegacyDirectory } from '../../src/legacy/directory.js';
import { uniqueTableName } from '../support/databases.js';

/** One row of the conformance data set, in the shape of a typical legacy users table. */
export interface FixtureRow {
  readonly id: number;
  readonly username: string;
  readonly email: string | null;
  readonly emailVerified: boolean | null;
  readonly firstName: string | null;
  readonly lastName: string | null;
  readonly phone: string | null;
  readonly passwordHash: string | null;
  readonly salt: string | null;
  readonly active: boolean;
  readonly memberNo: number | null;
}

/** What a database family provides to the suite: its table, its placeholders, its directory. */
export interface DirectoryFixture {
  /**
   * Create `table` (columns: id integer primary key, username, email, email_verified, first_name, last_name, phone,
   * password_hash, salt, active, member_no integer, and password_hash_fixed and salt_fixed: password_hash and salt
   * again in a fixed-width type that pads them, char(n) or BINARY(n)) and insert rows.
   */
  createTable(table: string, rows: readonly FixtureRow[]): Promise<void>;
  dropTable(table: string): Promise<void>;
  /** The dialect's n-th placeholder, for explicit queries. */
  placeholder(index: number): string;
  /** The URL-less legacy settings are completed by the fixture (url, or a shared pool). */
  openDirectory(config: LegacyConfig): Promise<LegacyDirectory>;
  close(): Promise<void>;
  /** False where results carry no column types (the embedded database): char(n) padding is then read as text. */
  readonly columnTypes?: false;
}

export const ROWS: readonly FixtureRow[] = [
  { id: 1, username: 'alice', email: 'alice@example.com', emailVerified: true, firstName: 'Alice', lastName: 'Liddell', phone: null, passwordHash: '$2y$10$hashofalice', salt: null, active: true, memberNo: 0 },
  { id: 2, username: 'bob', email: 'BOB@Example.com', emailVerified: false, firstName: null, lastName: null, phone: '+41 79 123 45 67', passwordHash: 'hash-bob', salt: 'pepper&salt', active: true, memberNo: 1002 },
  { id: 3, username: 'carol', email: 'carol@example.com', emailVerified: null, firstName: 'Carol', lastName: 'Danvers', phone: null, passwordHash: 'hash-carol', salt: null, active: false, memberNo: 1003 },
  { id: 4, username: 'zoë', email: null, emailVerified: null, firstName: 'Zoë', lastName: 'Ümlaut', phone: null, passwordHash: 'hash-zoe', salt: null, active: true, memberNo: null },
  { id: 5, username: 'sam', email: 'sam@example.com', emailVerified: true, firstName: 'Sam', lastName: 'One', phone: null, passwordHash: 'hash-sam1', salt: null, active: true, memberNo: null },
  { id: 6, username: 'sam@example.com', email: 'sam.two@example.com', emailVerified: true, firstName: 'Sam', lastName: 'Two', phone: null, passwordHash: 'hash-sam2', salt: null, active: true, memberNo: null },
  { id: 7, username: 'nopass', email: 'nopass@example.com', emailVerified: true, firstName: 'No', lastName: 'Password', phone: null, passwordHash: null, salt: null, active: true, memberNo: null },
  { id: 10, username: 'ten', email: 'ten@example.com', emailVerified: true, firstName: 'Ten', lastName: 'Th', phone: null, passwordHash: 'hash-ten', salt: 'sea salt ', active: true, memberNo: 10 },
];

const COLUMNS = {
  id: 'id',
  login: ['username', 'email'],
  passwordHash: 'password_hash',
  salt: 'salt',
  email: 'email',
  emailVerified: 'email_verified',
  givenName: 'first_name',
  familyName: 'last_name',
  preferredUsername: 'username',
  phoneNumber: 'phone',
};

/** A complete legacy section, parsed by the real schema. */
export function legacyConfig(legacy: Record<string, unknown>): LegacyConfig {
  return parseConfig({
    issuer: 'https://bridge.example.com',
    legacy,
    oidc: { clients: [{ clientId: 'c', clientSecret: 's', redirectUris: ['https://rp.example.com/cb'] }], cookieKeys: ['k'] },
  }).legacy;
}

/** The conformance suite every `LegacyDirectory` passes; a database family's test file only supplies the fixture. */
export function directoryConformance(family: string, fixture: () => Promise<DirectoryFixture>): void {
  const table = uniqueTableName('conformance');
  let f: DirectoryFixture;
  let directory: LegacyDirectory;
  const title = (name: string) => `[${family}] ${name}`;

  test.before(async () => {
    f = await fixture();
    await f.createTable(table, ROWS);
    directory = await f.openDirectory(legacyConfig({ table, columns: COLUMNS, disabledWhen: 'active = false' }));
  });

  test.after.always(async () => {
    await directory?.close();
    await f?.dropTable(table);
    await f?.close();
  });

  test(title('finds a user by username and by email, with the primary key as a string'), async (t) => {
    const byName = await directory.findByLogin('alice');
    const byEmail = await directory.findByLogin('alice@example.com');
    t.is(byName?.id, '1');
    t.deepEqual(byEmail, byName);
  });

  test(title('matches login names case-insensitively when configured'), async (t) => {
    t.is((await directory.findByLogin('ALICE'))?.id, '1');
    t.is((await directory.findByLogin('bob@example.COM'))?.id, '2');
    const strict = await f.openDirectory(legacyConfig({ table, columns: COLUMNS, caseInsensitiveLogin: false }));
    try {
      t.is(await strict.findByLogin('ALICE'), undefined);
      t.is(await strict.findByLogin('Alice@Example.com'), undefined);
      t.is((await strict.findByLogin('alice'))?.id, '1');
      t.is((await strict.findByLogin('BOB@Example.com'))?.id, '2');
    } finally {
      await strict.close();
    }
  });

  test(title('maps columns to a typed profile and the stored credential'), async (t) => {
    const alice = await directory.findById('1');
    t.deepEqual(alice?.credential, { hash: '$2y$10$hashofalice', salt: null });
    t.deepEqual(alice?.profile, {
      email: 'alice@example.com',
      emailVerified: true,
      givenName: 'Alice',
      familyName: 'Liddell',
      preferredUsername: 'alice',
    });
    t.false(alice!.disabled);
    const bob = await directory.findById('2');
    t.deepEqual(bob?.credential, { hash: 'hash-bob', salt: 'pepper&salt' });
    t.is(bob?.profile.emailVerified, false);
    // As E.164, the form ZITADEL and OpenID Connect expect.
    t.is(bob?.profile.phoneNumber, '+41791234567');
    t.is(bob?.profile.givenName, undefined);
  });

  test(title('reports disabled users and users without a password'), async (t) => {
    t.true((await directory.findByLogin('carol'))!.disabled);
    t.is((await directory.findByLogin('nopass'))!.credential, null);
  });

  test(title('keeps non-ASCII login names and profile text intact'), async (t) => {
    const zoe = await directory.findByLogin('zoë');
    t.is(zoe?.id, '4');
    t.is(zoe?.profile.familyName, 'Ümlaut');
  });

  test(title('an ambiguous login name (one row\'s email is another\'s username) finds nobody'), async (t) => {
    t.is(await directory.findByLogin('sam@example.com'), undefined);
    t.is((await directory.findByLogin('sam'))?.id, '5');
  });

  test(title('a number column among the login columns compares as text and leaves the others working'), async (t) => {
    const columns = { ...COLUMNS, login: ['username', 'member_no'] };
    for (const caseInsensitiveLogin of [true, false]) {
      const members = await f.openDirectory(legacyConfig({ table, columns, caseInsensitiveLogin }));
      try {
        t.is((await members.findByLogin('bob'))?.id, '2', `bob, caseInsensitiveLogin: ${caseInsensitiveLogin}`);
        t.is((await members.findByLogin('1002'))?.id, '2');
        t.is((await members.findByLogin('0'))?.id, '1');
        // Read as numbers, these would be 0 (alice's), 1002 (bob's) or out of the column's range.
        for (const login of ['no-such-user', '1002abc', '01002', ' 1002', '1002.0', '1.002e3', '99999999999', '-0']) {
          t.is(await members.findByLogin(login), undefined, `login ${login}, caseInsensitiveLogin: ${caseInsensitiveLogin}`);
        }
      } finally {
        await members.close();
      }
    }
  });

  test(title('unknown, empty, oversized and hostile input finds nobody and breaks nothing'), async (t) => {
    for (const login of ['nobody', '', "' OR '1'='1", 'alice\' --', 'x'.repeat(5000), '%', '_', 'alice%', 'ali\u0000ce', 'alice\u0000', 'alice\t']) {
      t.is(await directory.findByLogin(login), undefined, `login ${login.slice(0, 20)}`);
    }
    for (const id of ['999', 'abc', '', '1 OR 1=1', '-1', '1.5', ' 1', '01', '1 ', '99999999999', 'x'.repeat(1000)]) {
      t.is(await directory.findById(id), undefined, `id ${id.slice(0, 20)}`);
    }
    t.is((await directory.findById('10'))?.id, '10');
  });

  test(title('a hash and salt in fixed-width columns (char(n), BINARY(n)) are read without their padding'), async (t) => {
    // In a column that keeps what it is given, a trailing space belongs to the value.
    t.deepEqual((await directory.findByLogin('ten'))?.credential, { hash: 'hash-ten', salt: 'sea salt ' });
    if (f.columnTypes === false) return;
    const fixed = await f.openDirectory(legacyConfig({ table, columns: { ...COLUMNS, passwordHash: 'password_hash_fixed', salt: 'salt_fixed' } }));
    try {
      t.deepEqual((await fixed.findByLogin('bob'))?.credential, { hash: 'hash-bob', salt: 'pepper&salt' });
      t.deepEqual((await fixed.findById('1'))?.credential, { hash: '$2y$10$hashofalice', salt: null });
    } finally {
      await fixed.close();
    }
  });

  test(title('lists users in id order, page by page'), async (t) => {
    const first = await directory.list({ limit: 3 });
    t.deepEqual(first.map((u) => u.id), ['1', '2', '3']);
    const second = await directory.list({ after: '3', limit: 3 });
    t.deepEqual(second.map((u) => u.id), ['4', '5', '6']);
    const rest = await directory.list({ after: '6', limit: 10 });
    // Numeric keys sort as numbers, not as text ("10" after "7").
    t.deepEqual(rest.map((u) => u.id), ['7', '10']);
    t.deepEqual(await directory.list({ after: '10', limit: 10 }), []);
  });

  test(title('explicit queries work instead of table mode'), async (t) => {
    const p = f.placeholder;
    const explicit = await f.openDirectory(
      legacyConfig({
        columns: COLUMNS,
        queries: {
          findByLogin: `SELECT id, username, email, email_verified, first_name, last_name, phone, password_hash, salt, NOT active AS disabled FROM ${table} WHERE username = ${p(1)}`,
          findById: `SELECT id, username, email, email_verified, first_name, last_name, phone, password_hash, salt, NOT active AS disabled FROM ${table} WHERE id = ${p(1)}`,
        },
      }),
    );
    try {
      t.is((await explicit.findByLogin('alice'))?.profile.givenName, 'Alice');
      t.true((await explicit.findById('3'))!.disabled);
    } finally {
      await explicit.close();
    }
  });

  test(title('ping answers while the database is up'), async (t) => {
    await t.notThrowsAsync(directory.ping());
  });
}
