import { spawn, type ChildProcess } from 'node:child_process';

/** Start a bench script in its own process (so its CPU is its own) and wait for its READY/RESULT line. */
export function startScript(script: string, env: Record<string, string>, marker: 'READY' | 'RESULT'): Promise<{ child: ChildProcess; value: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffer = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const line = buffer.split('\n').find((l) => l.startsWith(`${marker} `));
      if (line) resolve({ child, value: line.slice(marker.length + 1).trim() });
    });
    child.on('exit', (code) => reject(new Error(`${script} exited with ${code} before ${marker}`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
