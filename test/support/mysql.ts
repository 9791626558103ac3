import mysql from 'mysql2/promise';

/** The MariaDB/MySQL database the MySQL tests use (CI creates a fresh one); unset: they are not registered. */
export const LEGACY_MYSQL_URL = process.env.LEGACY_MYSQL_URL;

/** One admin connection for DDL and fixture rows (one, so session settings such as sql_mode hold). */
export async function mysqlAdmin(url: string): Promise<mysql.Connection> {
  const connection = await mysql.createConnection({ uri: url, charset: 'utf8mb4', supportBigNumbers: true, bigNumberStrings: true });
  connection.on('error', () => {});
  return connection;
}

/** Drop tables, quietly if they are gone. */
export async function dropMysqlTables(admin: mysql.Connection, ...tables: string[]): Promise<void> {
  for (const table of tables) await admin.query(`DROP TABLE IF EXISTS \`${table}\``);
}

/** The same URL pointing at another local port (a TcpProxy in front of the server). */
export function mysqlUrlViaPort(url: string, port: number): string {
  const via = new URL(url);
  via.hostname = '127.0.0.1';
  via.port = String(port);
  return via.href;
}
