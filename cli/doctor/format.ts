import chalk from 'chalk';
import type { DoctorReport } from './probes.ts';

/** One aligned row per fact, `ok` or `missing` first so a glance down the column says it all. */
export function formatDoctor(report: DoctorReport): string {
  const rows: Array<[boolean, string, string]> = [
    [report.node.ok, 'Node.js', `${report.node.version} (${report.node.required} required, 24 recommended)`],
    [
      report.docker.ok,
      'Docker engine',
      report.docker.ok ? `${report.docker.version} at ${report.docker.where}` : (report.docker.reason ?? ''),
    ],
    [
      report.compose.ok,
      'Docker Compose',
      report.compose.ok
        ? `${report.compose.version} (${report.compose.command})`
        : (report.compose.reason ?? ''),
    ],
    [
      report.postgres.ok,
      'PostgreSQL',
      report.postgres.ok
        ? `${report.postgres.version} in ${report.postgres.binDir} (from ${report.postgres.source})`
        : `${report.postgres.reason}; apt-get install postgresql, or set LAB_PG_BIN`,
    ],
    [
      report.labHome.ok,
      'lab home',
      report.labHome.ok
        ? `${report.labHome.path} is writable`
        : `${report.labHome.path}: ${report.labHome.reason}`,
    ],
  ];
  const width = Math.max(...rows.map(([, label]) => label.length));
  const lines = rows.map(([ok, label, detail]) => {
    const mark = ok ? chalk.green('ok     ') : chalk.yellow('missing');
    return `  ${mark}  ${label.padEnd(width)}  ${detail}`;
  });
  lines.push('', `--runtime auto would pick: ${chalk.bold(report.runtime.auto)} (${report.runtime.reason})`);
  return `${lines.join('\n')}\n`;
}
