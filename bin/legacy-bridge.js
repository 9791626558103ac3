#!/usr/bin/env node
// Entry point of the `legacy-bridge` command: runs the TypeScript sources through tsx on Node.js 22+.
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(
    `legacy-bridge needs Node.js 22 or newer (this is ${process.version}).\n` +
      'Run it through npm (npm start, npx legacy-bridge), which uses the Node.js 22 the project installs, or install Node.js 22 LTS.\n',
  );
  process.exit(1);
}
// Password hashing (bcrypt, argon2, scrypt, PBKDF2) runs on libuv's thread pool, which also serves file and
// name lookups: sized before its first use so that, with every hashing slot busy (twice the cores by
// default), four threads still answer those. An explicit UV_THREADPOOL_SIZE wins.
const { availableParallelism } = await import('node:os');
process.env.UV_THREADPOOL_SIZE ??= String(Math.min(1024, 2 * availableParallelism() + 4));
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
