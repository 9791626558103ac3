import test from 'ava';
import { LegacyUnavailableError } from '../../src/legacy/directory.js';
import { postgresDialect } from '../../src/legacy/postgres.js';
import { createSqlDirectory, describeError, type SqlConnection } from '../../src/legacy/sql-directory.js';
import { legacyConfig } from './conformance.js';

/** A connection whose every query fails with `error`. */
const failing = (error: unknown): SqlConnection => ({
  query: async () => {
    throw error;
  },
  close: async () => {},
});

test('an error message never repeats the values the query was given', async (t) => {
  const config = legacyConfig({ table: 'users', columns: { id: 'id', login: ['username'], passwordHash: 'password_hash' } });
  const error = Object.assign(new Error('invalid input syntax for type date: "alice.liddell"\nDETAIL: more'), { code: '22007' });
  const directory = createSqlDirectory(config, postgresDialect, failing(error));
  const failure = await t.throwsAsync(directory.findByLogin('alice.liddell'), { instanceOf: LegacyUnavailableError });
  t.is(failure.message, 'legacy PostgreSQL database query failed: 22007 invalid input syntax for type date: "…"');

  // Servers shorten a long value they quote (MySQL: "Truncated incorrect DOUBLE value: 'xxxx…'").
  const long = `${'x'.repeat(100)}@example.com`;
  const shortened = { code: 'ER_TRUNCATED_WRONG_VALUE', message: `Truncated incorrect DOUBLE value: '${long.slice(0, 64)}'` };
  t.is(describeError(shortened, [long]), "ER_TRUNCATED_WRONG_VALUE Truncated incorrect DOUBLE value: '…'");
  // Only where quoted: a short id must not garble the rest of the message.
  t.is(describeError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }), ['1']), 'ECONNREFUSED connect ECONNREFUSED 127.0.0.1:5432');
  t.is(describeError({ code: '22P02', message: `invalid input syntax for type uuid: "1"` }, ['1']), '22P02 invalid input syntax for type uuid: "…"');
});
