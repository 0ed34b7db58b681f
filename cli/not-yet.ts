import { badInput } from './errors.ts';

/** A registered command whose implementation has not landed yet: says so, exit 2. */
export function notYetAvailable(command: string, issue: string): () => never {
  return () => {
    throw badInput(
      'E_NOT_AVAILABLE',
      `'lab ${command}' is not yet available in this version of lab (${issue}).`,
    );
  };
}
