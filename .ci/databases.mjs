// Creates (prints shell exports for) or drops the fresh databases of one CI run.
import mysql from 'mysql2/promise';
import pg from 'pg';

const [action, runId] = process.argv.slice(2);
if (!['create', 'drop'].includes(action) || !/^[a-z0-9_]+$/.test(runId ?? '')) {
  console.error('usage: databases.mjs create|drop RUN_ID');
  process.exit(2);
}
const pgAdmin = new URL(process.env.PG_ADMIN_URL);
const mysqlAdmin = new URL(process.env.MYSQL_ADMIN_URL);
const names = { bridge: `bridge_${runId}`, legacy: `legacy_${runId}`, mysql: `legacy_${runId}` };

const pgClient = new pg.Client({ connectionString: pgAdmin.href });
await pgClient.connect();
const my = await mysql.createConnection({ uri: mysqlAdmin.href });
try {
  if (action === 'create') {
    for (const name of [names.bridge, names.legacy]) await pgClient.query(`CREATE DATABASE ${name}`);
    await my.query(`CREATE DATABASE ${names.mysql} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    const pgUrl = (db) => Object.assign(new URL(pgAdmin.href), { pathname: `/${db}` }).href;
    console.log(`export DATABASE_URL='${pgUrl(names.bridge)}'`);
    console.log(`export LEGACY_DATABASE_URL='${pgUrl(names.legacy)}'`);
    console.log(`export LEGACY_MYSQL_URL='${Object.assign(new URL(mysqlAdmin.href), { pathname: `/${names.mysql}` }).href}'`);
  } else {
    for (const name of [names.bridge, names.legacy]) await pgClient.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await my.query(`DROP DATABASE IF EXISTS ${names.mysql}`);
  }
} finally {
  await pgClient.end();
  await my.end();
}
