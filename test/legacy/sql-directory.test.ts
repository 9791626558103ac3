import test from 'ava';
import { LegacyUnavailableError } from '../../src/legacy/directory.js';
import { postgresDialect } from '../../src/legacy/postgres.js';
import type { Row } from '../../src/legacy/row.js';
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

test('on PostgreSQL a number out of range or unreadable is "not found" only for a typed id; elsewhere it is an outage', async (t) => {
  const config = legacyConfig({ table: 'users', columns: { id: 'id', login: ['username'], passwordHash: 'password_hash' } });
  for (const code of ['22003', '22P02']) {
    const directory = createSqlDirectory(config, postgresDialect, failing(Object.assign(new Error('integer out of range'), { code })));
    t.is(await directory.findById('99999999999'), undefined, code);
    await t.throwsAsync(directory.findByLogin('alice'), { instanceOf: LegacyUnavailableError }, code);
    await t.throwsAsync(directory.list({ limit: 10 }), { instanceOf: LegacyUnavailableError }, code);
  }
});

test('login columns whose types cannot be learned are compared as text; the types are asked for again after an outage', async (t) => {
  const config = legacyConfig({ table: 'app.users', caseInsensitiveLogin: false, columns: { id: 'id', login: ['username', 'member_no'], passwordHash: 'password_hash' } });
  const lookups = (catalog: () => Promise<Row[]>) => {
    const asked: string[] = [];
    const connection: SqlConnection = {
      query: async (sql, params) => {
        asked.push(sql);
        if (sql.includes('pg_attribute')) {
          t.deepEqual(params, ['"app"."users"']);
          return catalog();
        }
        return [{ id: 1, username: 'alice', member_no: 1001, password_hash: 'h', bridge_disabled: false }];
      },
      close: async () => {},
    };
    return { directory: createSqlDirectory(config, postgresDialect, connection), asked };
  };
  const where = (sql: string) => sql.slice(sql.indexOf('WHERE'));

  // No right to read the catalog: asked once, and every lookup still works, comparing as text.
  const refused = lookups(async () => {
    throw Object.assign(new Error('permission denied for table pg_attribute'), { code: '42501' });
  });
  t.is((await refused.directory.findByLogin('alice'))?.id, '1');
  t.is((await refused.directory.findByLogin('alice'))?.id, '1');
  t.is(refused.asked.filter((sql) => sql.includes('pg_attribute')).length, 1);
  t.is(where(refused.asked.at(-1)!), 'WHERE CAST("username" AS text) = $1 OR CAST("member_no" AS text) = $2 LIMIT 2');

  // The database did not answer: asked again at the next lookup, then the types serve.
  let down = true;
  const outage = lookups(async () => {
    if (down) throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    return [{ column_name: 'username', type_name: 'citext' }, { column_name: 'member_no', type_name: 'int4' }];
  });
  t.is((await outage.directory.findByLogin('alice'))?.id, '1');
  down = false;
  t.is((await outage.directory.findByLogin('alice'))?.id, '1');
  t.is((await outage.directory.findByLogin('alice'))?.id, '1');
  t.is(outage.asked.filter((sql) => sql.includes('pg_attribute')).length, 2);
  t.is(where(outage.asked.at(-1)!), 'WHERE "username" = $1 OR "member_no" = $2 LIMIT 2');
});
