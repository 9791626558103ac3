import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Start a worker thread on a module of this project, named by its `.js` URL as imports name it.
 *
 * Run from the TypeScript sources, the main thread's loader resolves `.js` imports to `.ts` files, but a
 * worker does not inherit a loader registered through the API: a tiny bootstrap registers it inside the
 * worker first. A build runs the `.js` module directly.
 */
export function spawnWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  if (import.meta.url.endsWith('.ts')) {
    const source = entry.href.replace(/\.js$/, '.ts');
    const api = import.meta.resolve('tsx/esm/api');
    const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(source)}); });`;
    return new Worker(bootstrap, { ...options, eval: true });
  }
  return new Worker(entry, options);
}
