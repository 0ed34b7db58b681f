import path from 'node:path';

/** Where the lab keeps state, data, logs and runs: `.lab/` in the working directory, or LAB_HOME. */
export function labHome(env: NodeJS.ProcessEnv = process.env): string {
  return path.resolve(env.LAB_HOME ?? '.lab');
}
