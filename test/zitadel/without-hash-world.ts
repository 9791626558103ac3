import { writeLdapSsha } from '../../src/passwords/index.js';
import { startMigrationWorld, type MigrationWorld } from '../support/migration-world.js';

/**
 * ZITADEL with only its default verifier (bcrypt), and a user whose password is longer than bcrypt's 72
 * bytes, stored as {SSHA}: nothing ZITADEL imports can hold it, so the user arrives without a password.
 * One file per `withoutHash` setting: each world needs a ledger of its own.
 */
export const LONG_PASSWORD = `${'correct horse battery staple '.repeat(3)}and more`;

export function startWorldWithoutHash(withoutHash: 'reset' | 'changeRequired'): Promise<MigrationWorld> {
  return startMigrationWorld({
    users: ['lena', 'lars'].map((username) => ({
      username,
      email: `${username}@example.com`,
      firstName: username === 'lena' ? 'Lena' : 'Lars',
      lastName: 'Long',
      password: LONG_PASSWORD,
      store: async (p: string) => ({ hash: writeLdapSsha(p) }),
    })),
    schemes: ['ldap-ssha'],
    verifiers: [],
    zitadel: { withoutHash },
  });
}
