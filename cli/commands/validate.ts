/**
 * `lab validate <files...>`: a scenario's schema and semantics checked without starting anything
 * (no stack, no runtime loaded): unknown keys, wrong types, unknown fault kinds, links, checks,
 * bad durations, each as file:line:col. Exit 0 when every file is valid, 2 otherwise.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { ExitCode } from '../../common/errors.ts';
import { formatProblems, parseScenario } from '../chaos/loader.ts';
import { expandScenarioArguments } from './run.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description(
      'check scenario files (schema and semantics) without starting anything; exit 2 if one is invalid',
    )
    .argument(
      '[files-or-globs...]',
      'scenario files, folders, globs or bundled names (default: the bundled scenarios)',
    )
    .action((args: string[]) => {
      let invalid = 0;
      const files = expandScenarioArguments(args);
      for (const file of files) {
        const shown = path.relative(process.cwd(), file) || file;
        const parsed = parseScenario(readFileSync(file, 'utf8'), shown);
        if (parsed.scenario) {
          process.stdout.write(
            `ok       ${shown} (${parsed.scenario.name}: ${parsed.scenario.faults.length} faults, ${parsed.scenario.expect.checks.length} checks)\n`,
          );
          continue;
        }
        invalid++;
        process.stdout.write(`invalid  ${shown}\n`);
        process.stderr.write(`${formatProblems(parsed.problems)}\n`);
      }
      process.stdout.write(
        invalid === 0
          ? `${files.length} scenario file(s) valid\n`
          : `${invalid} of ${files.length} scenario file(s) invalid\n`,
      );
      if (invalid > 0) process.exitCode = ExitCode.badInput;
    });
}
