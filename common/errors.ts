/** Exit codes fixed in docs/ARCHITECTURE.md ("Commands and exit codes"). */
export const ExitCode = {
  ok: 0,
  expectationNotMet: 1,
  badInput: 2,
  infrastructure: 3,
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * An error the CLI reports as one specific line and turns into an exit code.
 * `code` is stable and machine-readable (E_...), `message` is for people.
 */
export class LabError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(
    code: string,
    message: string,
    options: { exitCode?: ExitCode; hint?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'LabError';
    this.code = code;
    this.exitCode = options.exitCode ?? ExitCode.badInput;
    this.hint = options.hint;
  }
}

export function badInput(code: string, message: string, hint?: string): LabError {
  return new LabError(code, message, { exitCode: ExitCode.badInput, hint });
}

export function infrastructureFailure(
  code: string,
  message: string,
  hint?: string,
  cause?: unknown,
): LabError {
  return new LabError(code, message, { exitCode: ExitCode.infrastructure, hint, cause });
}
