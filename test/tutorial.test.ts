/**
 * docs/TUTORIAL.md, run as written: every ```sh block in one bash session (later blocks use the
 * variables earlier ones set) on a fresh lab home, with `lab` on PATH as a learner has it. The
 * ```text block after a command block is what the tutorial says it prints: each of its lines must
 * appear in that block's output, in order (`<...>` matches an id, a port, a time). That includes
 * the double charge with the inbox off and the single charge once it is back.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = new URL('..', import.meta.url).pathname;
const TUTORIAL = path.join(ROOT, 'docs/TUTORIAL.md');

interface TutorialStep {
  commands: string;
  expected: string[];
  line: number;
}

/** The ```sh blocks, each with the ```text block that follows it (if any). */
function tutorialSteps(markdown: string): TutorialStep[] {
  const blocks: Array<{ lang: string; body: string; line: number }> = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(fence))
    blocks.push({
      lang: match[1] ?? '',
      body: match[2] ?? '',
      line: markdown.slice(0, match.index).split('\n').length,
    });
  const steps: TutorialStep[] = [];
  blocks.forEach((block, index) => {
    if (block.lang !== 'sh') return;
    const next = blocks[index + 1];
    steps.push({
      commands: block.body,
      expected: next?.lang === 'text' ? next.body.split('\n').filter((line) => line.trim() !== '') : [],
      line: block.line,
    });
  });
  return steps;
}

function linePattern(expected: string): RegExp {
  const parts = expected.trimEnd().split(/<[^>]+>/);
  return new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.+?')}$`);
}

/** The expected lines that do not appear, in order, among the output's lines. */
function missingLines(output: string, expected: string[]): string[] {
  const lines = output.split('\n').map((line) => line.trimEnd());
  let from = 0;
  const missing: string[] = [];
  for (const want of expected) {
    const pattern = linePattern(want);
    const found = lines.findIndex((line, index) => index >= from && pattern.test(line));
    if (found === -1) missing.push(want);
    else from = found + 1;
  }
  return missing;
}

let home: string | undefined;

describe('docs/TUTORIAL.md', () => {
  afterAll(async () => {
    if (!home) return;
    await execa(process.execPath, [path.join(ROOT, 'bin/lab'), 'down', '--purge'], {
      env: { LAB_HOME: path.join(home, '.lab') },
      reject: false,
    });
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('the step matcher fails on a line that is not printed', () => {
    expect(missingLines('a 1\nb 2\n', ['a <n>', 'b <n>'])).toEqual([]);
    expect(missingLines('b 2\na 1\n', ['a <n>', 'b <n>'])).toEqual(['b <n>']);
    expect(missingLines('{"balance_cents":1400}', ['{"balance_cents":1100}'])).toEqual([
      '{"balance_cents":1100}',
    ]);
  });

  it('runs as written on a fresh home and prints what it says', async () => {
    const steps = tutorialSteps(readFileSync(TUTORIAL, 'utf8'));
    expect(steps.length).toBeGreaterThan(8);
    home = mkdtempSync(path.join(tmpdir(), 'lab-tutorial-'));
    const bin = path.join(home, 'bin');
    mkdirSync(bin);
    writeFileSync(
      path.join(bin, 'lab'),
      `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'bin/lab')}" "$@"\n`,
    );
    chmodSync(path.join(bin, 'lab'), 0o755);
    const marker = (index: number) => `@@tutorial-step-${index}@@`;
    const script = steps.map((step, index) => `echo '${marker(index)}'\n${step.commands}`).join('\n');
    const result = await execa('bash', ['-c', script], {
      cwd: home,
      env: {
        PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH}`,
        HOME: process.env.HOME,
        LAB_HOME: path.join(home, '.lab'),
        CI: 'true',
        FORCE_COLOR: '0',
      },
      all: true,
      reject: false,
      timeout: 600_000,
    });
    const output = result.all ?? '';
    const failures = steps.flatMap((step, index) => {
      const start = output.indexOf(marker(index));
      const end = index + 1 < steps.length ? output.indexOf(marker(index + 1)) : output.length;
      const printed = start === -1 ? '' : output.slice(start + marker(index).length, end);
      const missing = missingLines(printed, step.expected);
      return missing.length === 0
        ? []
        : [`TUTORIAL.md:${step.line}: missing ${JSON.stringify(missing)}\n  printed:\n${printed}`];
    });
    expect(failures, failures.join('\n')).toEqual([]);
  }, 660_000);
});
