import test from 'ava';
import { openLegacyDirectory } from '../../src/legacy/registry.js';
import { closeDatabases, sharedEmbeddedDatabase, uniqueTableName } from '../support/databases.js';
import { legacyConfig } from './conformance.js';

// The claims cache in front of a real legacy table: reads for claims reuse a recent row, password checks never do.
async function withTable(claimsCacheSeconds: number) {
  const db = await sharedEmbeddedDatabase();
  const table = uniqueTableName('recent');
  await db.query(`CREATE TABLE ${table} (id integer PRIMARY KEY, username text NOT NULL, password_hash text, first_name text, active boolean NOT NULL)`);
  await db.query(`INSERT INTO ${table} VALUES (1, 'ada', 'hash-1', 'Ada', true)`);
  const config = legacyConfig({ table, claimsCacheSeconds, columns: { id: 'id', login: ['username'], passwordHash: 'password_hash', givenName: 'first_name' }, disabledWhen: 'active = false' });
  const directory = await openLegacyDirectory(config, db);
  const change = (set: string) => db.query(`UPDATE ${table} SET ${set} WHERE id = 1`);
  const insert = (id: number, username: string) => db.query(`INSERT INTO ${table} VALUES ($1, $2, 'hash', 'New', true)`, [id, username]);
  return { directory, change, insert };
}

test.after.always(closeDatabases);

test('claims reads within the window reuse the row a login just read', async (t) => {
  const { directory, change } = await withTable(60);
  t.is((await directory.findByLogin('ada'))?.profile.givenName, 'Ada');
  await change(`first_name = 'Augusta'`);
  t.is((await directory.findById('1'))?.profile.givenName, 'Ada');
});

test('a password check always reads the database: a new hash or a disabled user counts at once', async (t) => {
  const { directory, change } = await withTable(60);
  await directory.findByLogin('ada');
  await change(`password_hash = 'hash-2', active = false`);
  const fresh = await directory.findByLogin('ada');
  t.is(fresh?.credential?.hash, 'hash-2');
  t.true(fresh?.disabled);
  // …and the fresh row replaces the remembered one for the claims too.
  t.true((await directory.findById('1'))?.disabled);
});

test('with a window of 0 every read asks the database', async (t) => {
  const { directory, change } = await withTable(0);
  await directory.findById('1');
  await change(`first_name = 'Augusta'`);
  t.is((await directory.findById('1'))?.profile.givenName, 'Augusta');
});

test('a user who appears after an unknown-id read is found once they log in', async (t) => {
  const { directory, insert } = await withTable(60);
  t.is(await directory.findById('2'), undefined);
  await insert(2, 'grace');
  t.is((await directory.findByLogin('grace'))?.id, '2');
  t.is((await directory.findById('2'))?.profile.givenName, 'New');
});
