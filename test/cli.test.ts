import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const LAB = new URL('../bin/lab', import.meta.url).pathname;
const lab = (...args: string[]) =>
  execa(process.execPath, [LAB, ...args], { reject: false, env: { CI: 'true' } });

const DESIGN_COMMANDS = [
  'doctor',
  'up',
  'status',
  'logs',
  'down',
  'fault',
  'kill',
  'restart',
  'pause',
  'resume',
  'chaos',
  'run',
  'scenarios',
  'infra',
];

describe('lab CLI', () => {
  it('lists every command in --help', async () => {
    const result = await lab('--help');
    expect(result.exitCode).toBe(0);
    for (const command of DESIGN_COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('lists every fault subcommand', async () => {
    const result = await lab('fault', '--help');
    expect(result.exitCode).toBe(0);
    for (const sub of ['list', 'add', 'remove', 'down', 'up', 'reset'])
      expect(result.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it('refuses an unknown command with the closest valid one, exit 2', async () => {
    const result = await lab('stauts');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown command 'stauts'");
    expect(result.stderr).toContain('status');
  });

  it('always names a closest command, even for a far-off typo', async () => {
    const result = await lab('zzz');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/closest command is 'lab \w+'/);
  });

  it('refuses an unknown flag with a specific error, exit 2', async () => {
    const result = await lab('doctor', '--bogus');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--bogus'");
  });
});

describe('lab output into a closed pipe', () => {
  it('exits quietly when the reader is gone before it writes (`lab --help | true`)', async () => {
    const result = await execa(
      'bash',
      ['-c', `"${process.execPath}" "${LAB}" --help | true; echo "lab=\${PIPESTATUS[0]}"`],
      {
        reject: false,
      },
    );
    expect(result.stdout).toContain('lab=0');
    expect(result.stderr).not.toContain('EPIPE');
  });
});
