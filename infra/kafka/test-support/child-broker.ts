/** Runs `lab infra kafka` as a child process (so tests can SIGKILL it) on a fixed port. */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const LAB = fileURLToPath(new URL('../../../bin/lab', import.meta.url));

export interface ChildBroker {
  process: ChildProcess;
  output(): string;
  /** resolves with the exit code or signal */
  exited: Promise<number | NodeJS.Signals | null>;
}

export async function startChildBroker(options: { port: number; dataDir: string }): Promise<ChildBroker> {
  const child = spawn(
    process.execPath,
    [LAB, 'infra', 'kafka', '--port', String(options.port), '--data-dir', options.dataDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | NodeJS.Signals | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const deadline = Date.now() + 20_000;
  while (!output.includes('kafka broker listening')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`broker did not start: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { process: child, output: () => output, exited };
}
