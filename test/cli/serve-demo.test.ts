import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { Browser, formOf } from '../support/browser.js';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise((done) => server.close(done));
  return port;
}

/** `legacy-bridge serve` in demo mode in a folder of its own, once it says it listens. */
async function startDemo(t: ExecutionContext): Promise<{ cwd: string; port: number; child: ChildProcess; exited: Promise<number | null>; output: () => string }> {
  const cwd = mkdtempSync(join(tmpdir(), 'bridge-demo-'));
  const port = await freePort();
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), LOG_LEVEL: 'warn' };
  const child = spawn(process.execPath, [resolve('bin/legacy-bridge.js'), 'serve'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  t.teardown(() => child.kill('SIGKILL'));
  // Up to 150 s: on a loaded 2-core machine the first start (compiling, seeding the demo hashes) is slow.
  for (let i = 0; i < 1500 && !output.includes('Stop with Ctrl+C'); i += 1) {
    if (child.exitCode !== null) break;
    await new Promise((done) => setTimeout(done, 100));
  }
  return { cwd, port, child, exited, output: () => output };
}

/** A POST whose headers are sent now and whose body is sent by `finish`: a request in flight, held. */
function heldRequest(port: number) {
  const socket = connect(port, '127.0.0.1');
  let answer = '';
  socket.on('data', (chunk) => (answer += chunk));
  socket.on('error', () => {});
  const closed = new Promise<void>((done) => socket.on('close', () => done()));
  socket.write(`POST /token HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: keep-alive\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\n`);
  return {
    finish: async () => {
      socket.write('grant_type');
      await closed;
      return answer;
    },
    closed,
  };
}

const pause = (ms: number) => new Promise((done) => setTimeout(done, ms));

test('a stop lets a request in flight finish, closing its connection; a second stop signal ends the process at once', async (t) => {
  const first = await startDemo(t);
  const held = heldRequest(first.port);
  await pause(300);
  first.child.kill('SIGTERM');
  await pause(300);
  const answer = await held.finish();
  t.regex(answer, /^HTTP\/1\.1 4\d\d /);
  t.regex(answer, /\r\nconnection: close\r\n/i, 'a keep-alive client must not send its next request into the cut');
  t.is(await first.exited, 0);

  const second = await startDemo(t);
  const stuck = heldRequest(second.port);
  await pause(300);
  second.child.kill('SIGTERM');
  await pause(300);
  second.child.kill('SIGTERM');
  t.is(await second.exited, 1, second.output());
  await stuck.closed;
});

// The README's run command, as a newcomer runs it: no configuration, the embedded database, demo data.
test('serve without configuration runs the demo on the embedded database, and a login works at once', async (t) => {
  const { port, child, exited, output, cwd } = await startDemo(t);
  t.regex(output(), new RegExp(`Discovery: http://localhost:${port}/.well-known/openid-configuration`));
  t.regex(output(), /alice\s+wonderland/);
  t.is(statSync(join(cwd, 'keys', 'demo-jwks.json')).mode & 0o777, 0o600);
  t.false(existsSync(join(cwd, 'keys', 'jwks.json')), 'the demo key is not where a real deployment keeps its own');

  const issuer = `http://localhost:${port}`;
  const browser = new Browser(issuer);
  const started = await browser.follow(await browser.get(`${issuer}/demo/start`));
  const page = await started.response.text();
  const form = formOf(page, '/login');
  const { leftTo } = await browser.follow(await browser.post(new URL(form.action, issuer), { ...form.fields, login: 'alice', password: 'wonderland' }));
  t.is(leftTo?.pathname, '/demo/callback');
  const result = await browser.get(leftTo!);
  const text = await result.text();
  t.is(result.status, 200, text);
  t.regex(text, /&quot;given_name&quot;: &quot;Alice&quot;/);
  t.regex(text, /&quot;email_verified&quot;: true/);

  // A user from another legacy product (WordPress phpass) signs in the same way.
  const other = new Browser(issuer);
  const second = await other.follow(await other.get(`${issuer}/demo/start`));
  const secondForm = formOf(await second.response.text(), '/login');
  const back = await other.follow(await other.post(new URL(secondForm.action, issuer), { ...secondForm.fields, login: 'wendy', password: 'hello-world' }));
  t.is(back.leftTo?.pathname, '/demo/callback');
  t.regex(await (await other.get(back.leftTo!)).text(), /&quot;family_name&quot;: &quot;Press&quot;/);

  child.kill('SIGTERM');
  t.is(await exited, 0);
  t.false(output().includes('wonderland"'), 'no password in the logs');
});
