import { describe, expect, it } from 'vitest';
import { FAULTS } from './faults/index.ts';
import { formatProblems, type LoadedScenario, parseScenario } from './loader.ts';
import { fixSchedule } from './schedule.ts';

const STORM = `name: storm
description: A random schedule.
setup:
  customers: 2
  balance: 10
  products:
    - { sku: bread, price: 4.50, stock: 5 }
workload:
  orders: 10
  rate: 5/s
faults:
  # a fixed fault keeps its place and its comment
  - { at: 1s, for: 2s, latency: { link: payment.db, ms: 300 } }
  - random:
      kinds: [latency, down, kill, duplicate, poison, db_crash, broker_restart]
      count: 12
      for: { min: 500ms, max: 3s }
      between: { start: 0s, end: 20s }
`;

function load(source: string): LoadedScenario {
  const parsed = parseScenario(source, 'storm.yaml');
  if (!parsed.scenario) throw new Error(formatProblems(parsed.problems));
  return { scenario: parsed.scenario, source, file: 'storm.yaml' } as LoadedScenario;
}

function problems(source: string): string[] {
  return parseScenario(source, 'bad.yaml').problems.map((problem) => problem.message);
}

describe('random fault schedules', () => {
  it('the same seed expands to the same fixed file, byte for byte; another seed differs', () => {
    const first = fixSchedule(load(STORM), 7);
    const again = fixSchedule(load(STORM), 7);
    const other = fixSchedule(load(STORM), 8);
    expect(again.loaded.source).toBe(first.loaded.source);
    expect(other.loaded.source).not.toBe(first.loaded.source);
    expect(first.loaded.source).toContain('# a fixed fault keeps its place and its comment');
    expect(first.loaded.source).not.toContain('random:');
  });

  it('draws count faults of the listed kinds inside the window, fixed faults kept first', () => {
    const { loaded, decisions } = fixSchedule(load(STORM), 7);
    const [fixed, ...drawn] = loaded.scenario.faults;
    expect(fixed).toMatchObject({ at: 1000, for: 2000, kind: 'latency' });
    expect(drawn).toHaveLength(12);
    expect(loaded.scenario.randomFaults).toEqual([]);
    const kinds = new Set(drawn.map((fault) => fault.kind));
    for (const kind of kinds)
      expect(['latency', 'down', 'kill', 'duplicate', 'poison', 'db_crash', 'broker_restart']).toContain(
        kind,
      );
    expect(kinds.size).toBeGreaterThan(2);
    for (const fault of drawn) {
      expect(fault.at).toBeGreaterThanOrEqual(0);
      expect(fault.at).toBeLessThan(20_000);
      const definition = FAULTS.get(fault.kind)!;
      if (definition.timing === 'windowed') {
        expect(fault.for).toBeGreaterThanOrEqual(500);
        expect(fault.for).toBeLessThanOrEqual(3000);
      } else expect(fault.for).toBeUndefined();
    }
    expect(drawn.map((fault) => fault.at)).toEqual([...drawn.map((fault) => fault.at)].sort((a, b) => a - b));
    expect(decisions).toHaveLength(12);
    expect(decisions[0]).toMatchObject({ source: 'schedule', entry: 1 });
  });

  it('the fixed file replays as itself: parsing it again gives the same faults', () => {
    const { loaded } = fixSchedule(load(STORM), 11);
    expect(fixSchedule(load(loaded.source), 99).loaded.scenario.faults).toEqual(loaded.scenario.faults);
  });

  it('`every` spaces faults evenly; `targets` limits what they hit', () => {
    const source = STORM.replace(
      /- random:[\s\S]*$/,
      '- random: { kinds: [latency, kill], targets: [payment.db, inventory], every: 5s, between: { start: 2s, end: 20s } }\n',
    );
    const drawn = fixSchedule(load(source), 3).loaded.scenario.faults.slice(1);
    expect(drawn.map((fault) => fault.at)).toEqual([2000, 7000, 12_000, 17_000]);
    for (const fault of drawn)
      expect(FAULTS.get(fault.kind)!.target(fault.options)).toBe(
        fault.kind === 'kill' ? 'inventory' : 'payment.db',
      );
  });

  it('refuses a schedule that cannot be drawn, before anything starts', () => {
    const random = (body: string) => STORM.replace(/- random:[\s\S]*$/, `- random: { ${body} }\n`);
    expect(problems(random('kinds: [latency], count: 2, every: 1s, between: { end: 5s }'))).toContainEqual(
      expect.stringContaining('exactly one of `count` or `every`'),
    );
    expect(
      problems(random('kinds: [latency], targets: [inventory], count: 2, between: { end: 5s }')),
    ).toContainEqual(expect.stringContaining('no target of latency (a link) among inventory'));
    expect(
      problems(random('kinds: [latency], targets: [paymnt.db], count: 2, between: { end: 5s }')),
    ).toContainEqual(expect.stringContaining("unknown target 'paymnt.db'"));
    expect(problems(random('kinds: [partition], count: 2, between: { end: 5s }'))).toContainEqual(
      expect.stringContaining('partition'),
    );
    expect(problems(random('kinds: [kill], count: 2, between: { start: 5s, end: 5s }'))).toContainEqual(
      expect.stringContaining('between.start must be before between.end'),
    );
    expect(
      problems(STORM.replace('- random:', '- at: 1s\n    random:')).some((message) =>
        message.includes('stands alone'),
      ),
    ).toBe(true);
  });
});
