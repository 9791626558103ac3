import { request } from 'node:http';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import test from 'ava';
import { formOf } from '../support/browser.js';
import { startTestBridge } from '../support/bridge.js';
import { bridgeDatabaseForE2E, closeDatabases, uniqueTableName } from '../support/databases.js';
import { createLegacyTable, legacySection, STANDARD_USERS } from '../support/legacy-users.js';
import { startAuthorization, zitadelRelyingParty } from '../support/relying-party.js';

test.after.always(closeDatabases);

interface LogLine {
  level: number;
  msg: string;
  path?: string;
  code?: string;
  err?: { stack?: string };
}

/** Every log line of a bridge logging at debug level. */
async function loggedBridge(t: { teardown(fn: () => Promise<void>): void }) {
  const lines: LogLine[] = [];
  const logTo = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_abort');
  await createLegacyTable(db, table, STANDARD_USERS);
  const bridge = await startTestBridge({ db, legacy: legacySection(table), logTo, adjust: (raw) => void (raw.log.level = 'debug') });
  t.teardown(() => bridge.close());
  return { bridge, rp: await zitadelRelyingParty(bridge), lines };
}

/** Wait (up to 10 s) until a line about `path` other than the request line is logged. */
async function lineAbout(lines: LogLine[], path: string): Promise<LogLine | undefined> {
  for (let i = 0; i < 200; i += 1) {
    const line = lines.find((l) => l.path === path && l.msg !== 'request');
    if (line) return line;
    await sleep(50);
  }
  return undefined;
}

test('a client breaking off its login post mid-body is logged at debug level without a stack, never as an error', async (t) => {
  const { bridge, rp, lines } = await loggedBridge(t);
  const started = await startAuthorization(rp, bridge);
  const form = formOf(await started.page.text(), '/login');
  const url = new URL(form.action, bridge.issuer);
  // Half a chunked form body, then the connection is cut: once the bridge has the request (and the half),
  // else a slow server would see no request at all.
  await new Promise<void>((resolve) => {
    const cookie = started.browser.cookieHeader(url);
    const sent = request(url, { method: 'POST', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'transfer-encoding': 'chunked' } });
    sent.on('error', () => resolve());
    bridge.server.once('request', () =>
      setTimeout(() => {
        sent.destroy();
        resolve();
      }, 50),
    );
    sent.write(`csrf=${encodeURIComponent(form.fields.csrf!)}&login=alice&pass`);
  });
  const line = await lineAbout(lines, url.pathname);
  t.truthy(line, 'the abort is logged');
  t.is(line!.level, 20);
  t.falsy(line!.err, 'no error object, no stack');
  t.deepEqual(lines.filter((l) => l.level >= 50), []);
});

test('a real failure of a login request is still logged as an error, with its stack', async (t) => {
  const { bridge, rp, lines } = await loggedBridge(t);
  bridge.directory.findByLogin = async () => {
    throw new Error('a bug in the bridge');
  };
  const started = await startAuthorization(rp, bridge);
  const form = formOf(await started.page.text(), '/login');
  const url = new URL(form.action, bridge.issuer);
  const response = await started.browser.post(url, { ...form.fields, login: 'alice', password: 'wonderland' });
  t.is(response.status, 500);
  const line = await lineAbout(lines, url.pathname);
  t.is(line?.level, 50);
  t.regex(line?.err?.stack ?? '', /a bug in the bridge/);
});
