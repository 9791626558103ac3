// Bare bcrypt.compare (cost 10) at CONCURRENCY for SECONDS; prints "RESULT <ops per second>".
import bcrypt from 'bcrypt';

const concurrency = Number(process.env.CONCURRENCY ?? 8);
const seconds = Number(process.env.SECONDS ?? 10);
const hash = await bcrypt.hash('bench-password', 10);
for (let i = 0; i < concurrency; i += 1) await bcrypt.compare('bench-password', hash);
let done = 0;
const deadline = performance.now() + seconds * 1000;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      await bcrypt.compare('bench-password', hash);
      done += 1;
    }
  }),
);
console.log(`RESULT ${done / ((performance.now() - started) / 1000)}`);
