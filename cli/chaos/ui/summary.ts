/** The final tables: one run's checks, and a suite's scenarios. Plain text, so CI logs keep them. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import chalk from 'chalk';
import type { CheckResult, Verdict } from '../checks/types.ts';
import type { RunResult } from '../result.ts';
import { formatDuration } from '../units.ts';

const VERDICT_COLOR: Record<Verdict, (text: string) => string> = {
  valid: chalk.green,
  invalid: chalk.red,
  unknown: chalk.yellow,
};

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

export function replayHint(result: Pick<RunResult, 'scenario' | 'file' | 'seed'>): string {
  return `lab chaos ${result.file.includes('/scenarios/') ? result.scenario : result.file} --seed ${result.seed}`;
}

export function runSummary(result: RunResult): string {
  const lines: string[] = [];
  lines.push('');
  lines.push(
    chalk.bold(`${result.scenario}`) +
      `  seed ${result.seed}  runtime ${result.runtime}  kit ${result.kit}${result.without.length > 0 ? `  without ${result.without.join(',')}` : ''}  ${formatDuration(result.durationMs)}`,
  );
  const steady = result.steadyState;
  const sections: Array<[string, CheckResult[]]> = [
    ['steady state before', steady?.before ?? []],
    ['check', result.checks],
    ['steady state after', steady?.after ?? []],
  ];
  const listed = sections.flatMap(([, rows]) => rows);
  const nameWidth = Math.max(5, ...listed.map((check) => check.name.length)) + 2;
  if (listed.length > 0) lines.push(chalk.dim(`${pad('check', nameWidth)}${pad('verdict', 9)}summary`));
  for (const [heading, rows] of sections) {
    if (rows.length === 0) continue;
    if (heading !== 'check') lines.push(chalk.dim(`${heading}:`));
    for (const check of rows) {
      lines.push(
        `${pad(check.name, nameWidth)}${VERDICT_COLOR[check.verdict](pad(check.verdict, 9))}${truncate(check.summary, 100)}`,
      );
      if (check.verdict === 'invalid')
        for (const item of check.evidence.items.slice(0, 3))
          lines.push(chalk.dim(`${' '.repeat(nameWidth + 9)}${truncate(JSON.stringify(item), 100)}`));
    }
  }
  const counts = result.counts;
  lines.push(
    chalk.dim(
      `orders: ${counts.operations} attempted, ${counts.confirmed ?? '?'} confirmed, ${counts.cancelled ?? '?'} cancelled, ${counts.pending ?? '?'} pending, ${counts.failed ?? 0} refused, ${counts.unknown ?? 0} unknown`,
    ),
  );
  if (result.processesDown)
    lines.push(
      chalk.yellow(
        `not running after the run (died on their own): ${result.processesDown.join(', ')}; see logs/`,
      ),
    );
  const outcome = result.expectationMet ? chalk.green('PASS') : chalk.red('FAIL');
  lines.push(`${outcome}  expected ${result.expected}: ${result.explanation}`);
  lines.push(chalk.dim(`run dir: ${result.runDir}`));
  const report = path.join(result.runDir, 'report.html');
  if (existsSync(report)) lines.push(chalk.dim(`report:  ${report}`));
  lines.push(chalk.dim(`replay:  ${replayHint(result)}`));
  return `${lines.join('\n')}\n`;
}

export function suiteSummary(results: RunResult[], durationMs: number): string {
  const nameWidth = Math.max(8, ...results.map((result) => result.scenario.length)) + 2;
  const lines = [
    '',
    chalk.dim(
      `${pad('scenario', nameWidth)}${pad('expected', 10)}${pad('verdict', 9)}${pad('result', 8)}${pad('time', 8)}why`,
    ),
  ];
  for (const result of results)
    lines.push(
      `${pad(result.scenario, nameWidth)}${pad(result.expected, 10)}${VERDICT_COLOR[result.verdict](pad(result.verdict, 9))}${result.expectationMet ? chalk.green(pad('PASS', 8)) : chalk.red(pad('FAIL', 8))}${pad(formatDuration(result.durationMs), 8)}${truncate(result.explanation, 80)}`,
    );
  const passed = results.filter((result) => result.expectationMet).length;
  const verdict = passed === results.length ? chalk.green('PASS') : chalk.red('FAIL');
  lines.push(
    `${verdict}  ${passed}/${results.length} scenarios met their expectation in ${formatDuration(durationMs)}`,
  );
  for (const result of results.filter((entry) => !entry.expectationMet))
    lines.push(chalk.dim(`  replay ${result.scenario}: ${replayHint(result)}   (run dir ${result.runDir})`));
  return `${lines.join('\n')}\n`;
}
