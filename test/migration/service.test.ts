import { randomUUID } from 'node:crypto';
import test from 'ava';
import type { LegacyDirectory, LegacyUser } from '../../src/legacy/directory.js';
import { Ledger, RESET_DUE } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import { MigrationService } from '../../src/migration/service.js';
import type { HandOff, HandOffPolicy } from '../../src/passwords/index.js';
import type { Database } from '../../src/store/database.js';
import { createLogger } from '../../src/server/logger.js';
import { bridgeDatabasesUnderTest, closeDatabases } from '../support/databases.js';

test.after.always(closeDatabases);

const box = new SealedBox(['cookie-key-one'], 'hand-off hash');
const directory: LegacyDirectory = {
  findByLogin: async () => undefined,
  findById: async () => undefined,
  list: async () => [],
  ping: async () => {},
  close: async () => {},
};

/** A hand-off policy that records which calls got the password; it answers `withoutPassword` to those without. */
function policy(withoutPassword: HandOff): HandOffPolicy & { passwords: Array<string | undefined> } {
  const passwords: Array<string | undefined> = [];
  return {
    passwords,
    async decide(_stored, _scheme, password) {
      passwords.push(password);
      return password === undefined ? withoutPassword : { kind: 'rehash', hash: '$argon2id$made-from-the-password' };
    },
  };
}
const needsPassword: HandOff = { kind: 'none', hash: null, reason: 'no password to re-hash' };
const native: HandOff = { kind: 'native', hash: '$2y$10$stored' };

/** Counts the statements the service sends, to show what a path costs the database. */
function counting(db: Database): { db: Database; statements: string[] } {
  const statements: string[] = [];
  return {
    statements,
    db: {
      kind: db.kind,
      transaction: (work) => db.transaction(work),
      close: () => db.close(),
      query: (text, values) => {
        statements.push(text);
        return db.query(text, values);
      },
    },
  };
}

function service(db: Database, handOff: HandOffPolicy, withoutHash: 'reset' | 'changeRequired' = 'reset') {
  return new MigrationService({
    ledger: new Ledger(db, box),
    handOff,
    passwords: { identify: () => undefined },
    directory,
    logger: createLogger('silent'),
    pendingTtlSeconds: 600,
    prepareHandOff: true,
    withoutHash,
  });
}

const user = (id: string): LegacyUser => ({ id, credential: { hash: '{SSHA}stored' }, disabled: false, profile: {} });

for (const backend of bridgeDatabasesUnderTest()) {
  const title = (name: string) => `[${backend.name}] ${name}`;

  test(title('a migrated user\'s login re-hashes nothing and stores no hash'), async (t) => {
    const db = await backend.open();
    const id = randomUUID();
    await new Ledger(db, box).markMigrated(id, 'batch', 'z-1');
    const handOff = policy(needsPassword);
    await service(db, handOff).onLogin({ user: user(id), password: 'secret', scheme: 'ldap-ssha' });
    t.deepEqual(handOff.passwords, [undefined], 'the password was never used for a re-hash');
    const entry = await new Ledger(db, box).get(id);
    t.is(entry?.state, 'migrated');
    t.is(entry?.logins, 1);
    t.false(entry!.hasPendingHash);
  });

  test(title('a user not yet migrated gets the re-hash made from the password'), async (t) => {
    const db = await backend.open();
    const id = randomUUID();
    const handOff = policy(needsPassword);
    await service(db, handOff).onLogin({ user: user(id), password: 'secret', scheme: 'ldap-ssha' });
    t.deepEqual(handOff.passwords, [undefined, 'secret']);
    t.is(await new Ledger(db, box).pendingHash(id), '$argon2id$made-from-the-password');
  });

  test(title('a hash that needs no password costs one statement, and no password is used'), async (t) => {
    const { db, statements } = counting(await backend.open());
    const id = randomUUID();
    const handOff = policy(native);
    await service(db, handOff).onLogin({ user: user(id), password: 'secret', scheme: 'bcrypt' });
    t.deepEqual(handOff.passwords, [undefined]);
    t.is(statements.length, 1, statements.join('\n---\n'));
    t.is(await new Ledger(db, box).pendingHash(id), '$2y$10$stored');
  });

  test(title('the hook\'s release without a hash in reset mode is one statement that leaves the reset due'), async (t) => {
    const { db, statements } = counting(await backend.open());
    const id = randomUUID();
    const migration = service(db, policy(needsPassword), 'reset');
    await new Ledger(db, box).recordLogin(id, { kind: 'none', hash: null, reason: 'none' }, 600);
    statements.length = 0;
    const outcome = await migration.releaseForHook(user(id), 'token', 300);
    t.true(outcome.released);
    t.is(outcome.released && outcome.entry.state, 'failed');
    t.is(outcome.released && outcome.entry.failureReason, RESET_DUE);
    t.is(statements.length, 1, 'nothing can crash between the release and the reset');
    const changeRequired = service(db, policy(needsPassword), 'changeRequired');
    const other = randomUUID();
    await new Ledger(db, box).recordLogin(other, { kind: 'none', hash: null, reason: 'none' }, 600);
    const asked = await changeRequired.releaseForHook(user(other), 'token', 300);
    t.is(asked.released && asked.entry.state, 'migrated');
  });
}
