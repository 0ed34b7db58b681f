import { Command, CommanderError } from 'commander';
import { closest } from 'fastest-levenshtein';
import { ExitCode, LabError } from '../common/errors.ts';
import { registerChaos } from './commands/chaos.ts';
import { registerCheck } from './commands/check.ts';
import { registerDoctor } from './commands/doctor.ts';
import { registerDown } from './commands/down.ts';
import { registerEvents } from './commands/events.ts';
import { registerExplore } from './commands/explore.ts';
import { registerFault } from './commands/fault.ts';
import { registerInfra } from './commands/infra.ts';
import { registerLogs } from './commands/logs.ts';
import { registerProcessFaults } from './commands/process-faults.ts';
import { registerPsql } from './commands/psql.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerRuns } from './commands/runs.ts';
import { registerScenarios } from './commands/scenarios.ts';
import { registerSeed } from './commands/seed.ts';
import { registerStatus } from './commands/status.ts';
import { registerTrace } from './commands/trace.ts';
import { registerUi } from './commands/ui.ts';
import { registerUp } from './commands/up.ts';
import { registerValidate } from './commands/validate.ts';
import { lastInterruption, watchOutputStreams } from './runtime/lifecycle.ts';

export function buildProgram(): Command {
  const program = new Command('lab')
    .description(
      'A local distributed-systems lab: an event-driven shop, real PostgreSQL, a Kafka-protocol broker, fault injection, and checks that prove the patterns held.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run `lab --help` for the list of commands)')
    .showSuggestionAfterError(true);

  registerDoctor(program);
  registerUp(program);
  registerStatus(program);
  registerLogs(program);
  registerDown(program);
  registerFault(program);
  registerProcessFaults(program);
  registerChaos(program);
  registerRun(program);
  registerRuns(program);
  registerCheck(program);
  registerReport(program);
  registerTrace(program);
  registerEvents(program);
  registerUi(program);
  registerExplore(program);
  registerScenarios(program);
  registerSeed(program);
  registerPsql(program);
  registerValidate(program);
  registerInfra(program);

  applyRecursively(program, (command) => command.exitOverride());
  return program;
}

function applyRecursively(command: Command, apply: (command: Command) => void): void {
  apply(command);
  for (const sub of command.commands) applyRecursively(sub, apply);
}

/** Commander suggests a command only when it is close; an unknown command always gets the nearest one. */
function suggestCommand(program: Command, argv: string[]): string | undefined {
  const typed = argv[2];
  if (!typed || typed.startsWith('-')) return undefined;
  return closest(
    typed,
    program.commands.map((command) => command.name()),
  );
}

export async function main(argv: string[]): Promise<void> {
  watchOutputStreams();
  const program = buildProgram();
  let wroteSuggestion = false;
  program.configureOutput({
    writeErr: (text) => {
      if (text.includes('Did you mean')) wroteSuggestion = true;
      process.stderr.write(text);
    },
  });
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = exitCodeFor(error, () => {
      if (wroteSuggestion || !(error instanceof CommanderError) || error.code !== 'commander.unknownCommand')
        return;
      const nearest = suggestCommand(program, argv);
      if (nearest) process.stderr.write(`(the closest command is 'lab ${nearest}')\n`);
    });
  }
  // Cleanup is done by now (healed, stopped); a client's socket or timer must not keep an
  // interrupted command alive, and its exit code says why it stopped.
  const interruption = lastInterruption();
  if (interruption) process.exit(interruption.exitCode);
}

function exitCodeFor(error: unknown, onUsageError: () => void): number {
  if (error instanceof CommanderError) {
    // --help and --version also arrive here, with exit code 0.
    if (error.exitCode === 0) return ExitCode.ok;
    onUsageError();
    return ExitCode.badInput;
  }
  if (error instanceof LabError) {
    process.stderr.write(`lab: ${error.message}\n`);
    if (error.hint) process.stderr.write(`  ${error.hint}\n`);
    return error.exitCode;
  }
  process.stderr.write(
    `lab: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  return ExitCode.infrastructure;
}
