import type { Command } from 'commander';
import { bundledScenarioFiles, loadScenarioFile } from '../chaos/loader.ts';
import { formatDuration } from '../chaos/units.ts';

/** Wraps text to `width` columns with an indent, for descriptions in a terminal. */
function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + word.length + 1 > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.map((entry) => indent + entry).join('\n');
}

export function registerScenarios(program: Command): void {
  program
    .command('scenarios')
    .description('list the bundled scenarios with their descriptions')
    .option('--json', 'print them as JSON')
    .action((options: { json?: boolean }) => {
      const scenarios = bundledScenarioFiles().map((file) => loadScenarioFile(file));
      if (options.json) {
        const list = scenarios.map(({ scenario, file }) => ({
          name: scenario.name,
          file,
          description: scenario.description,
          expect: scenario.expect.verdict,
          without: scenario.stack.without,
          faults: scenario.faults.map((fault) => fault.kind),
        }));
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      for (const { scenario } of scenarios) {
        const facts = [
          `${scenario.workload.orders} orders at ${scenario.workload.rate}/s`,
          scenario.faults.length > 0
            ? `faults: ${[...new Set(scenario.faults.map((fault) => fault.kind))].join(', ')}`
            : 'no faults',
          `settle ${formatDuration(scenario.settle)}`,
          scenario.stack.without.length > 0 ? `without ${scenario.stack.without.join(', ')}` : '',
          scenario.expect.verdict === 'invalid' ? 'expects the checks to catch an anomaly' : '',
        ].filter(Boolean);
        process.stdout.write(
          `${scenario.name}\n${wrap(scenario.description, 96, '  ')}\n  (${facts.join('; ')})\n\n`,
        );
      }
      process.stdout.write('Run one with `lab chaos <name>`, all of them with `lab run`.\n');
    });
}
