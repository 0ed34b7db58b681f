import { describe, expect, it } from 'vitest';
import { bundledScenarioFiles, loadScenarioFile, parseScenario, resolveScenario } from './loader.ts';
import { createRandom } from './random.ts';
import { parseDuration, parseMoney, parseRate } from './units.ts';
import { planWorkload } from './workload.ts';

const VALID = `name: mini
description: A tiny scenario.
setup:
  customers: 2
  balance: 10.5
  products:
    - { sku: bread, price: 4.50, stock: 5 }
workload:
  orders: 10
  rate: 5/s
faults:
  - { at: 1s, for: 2s, latency: { link: payment.db, ms: 300, jitter: 100 } }
  - { at: 500ms, kill: { service: inventory, restart_after: 2s } }
expect:
  checks:
    - sagas_terminal
    - { latency_p99: { max: 2s } }
    - { outcomes: { confirmed: ">= 8" } }
`;

function problems(source: string) {
  const parsed = parseScenario(source, 'bad.yaml');
  expect(parsed.scenario).toBeUndefined();
  return parsed.problems.map(
    (problem) => `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`,
  );
}

describe('units', () => {
  it('parses durations, rates and money', () => {
    expect(parseDuration('300ms')).toBe(300);
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1.5m')).toBe(90_000);
    expect(parseDuration(0)).toBe(0);
    expect(parseDuration(5)).toMatch(/expected a duration/);
    expect(parseRate('50/s')).toBe(50);
    expect(parseRate('600/m')).toBe(10);
    expect(parseRate('fast')).toMatch(/expected a positive rate/);
    expect(parseMoney(100)).toBe(10_000);
    expect(parseMoney('4.5')).toBe(450);
    expect(parseMoney(1.2)).toBe(120);
    expect(parseMoney('1.234')).toMatch(/at most two decimals/);
  });
});

describe('scenario loader', () => {
  it('loads a valid scenario with units parsed and defaults filled', () => {
    const parsed = parseScenario(VALID, 'mini.yaml');
    expect(parsed.problems).toEqual([]);
    const scenario = parsed.scenario!;
    expect(scenario.setup.balance).toBe(1050);
    expect(scenario.setup.products[0]).toEqual({ sku: 'bread', price: 450, stock: 5 });
    expect(scenario.workload).toMatchObject({
      rate: 5,
      concurrency: 8,
      lines: { min: 1, max: 3 },
      timeout: 5000,
    });
    expect(scenario.settle).toBe(30_000);
    expect(scenario.faults[0]).toMatchObject({
      at: 1000,
      for: 2000,
      kind: 'latency',
      options: {
        link: 'payment.db',
        stream: 'downstream',
        toxicity: 1,
        attributes: { latency: 300, jitter: 100 },
      },
    });
    expect(scenario.faults[1]).toMatchObject({
      at: 500,
      kind: 'kill',
      options: { service: 'inventory', restart_after: 2000 },
    });
    expect(scenario.expect).toEqual({
      verdict: 'valid',
      checks: [
        { name: 'sagas_terminal' },
        { name: 'latency_p99', max: 2000 },
        { name: 'outcomes', expected: { confirmed: { op: '>=', value: 8 } } },
      ],
      detectedBy: undefined,
    });
  });

  it('points an unknown key at its line and column, with the closest valid key', () => {
    const source = VALID.replace('latency: { link', 'latncy: { link');
    expect(problems(source)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^bad\.yaml:12:24: unknown key 'latncy' in faults\[0\]; did you mean 'latency'\?/,
        ),
      ]),
    );
    expect(problems(VALID.replace('  customers: 2', '  custmers: 2'))).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^bad\.yaml:4:3: unknown key 'custmers' in setup; did you mean 'customers'\?/),
      ]),
    );
  });

  it('points a bad unit at its value', () => {
    expect(problems(VALID.replace('rate: 5/s', 'rate: 5 per second'))).toEqual([
      "bad.yaml:10:9: workload.rate: expected a positive rate like 50/s or 600/m, got '5 per second'",
    ]);
    expect(problems(VALID.replace('at: 500ms', 'at: 500'))).toEqual([
      'bad.yaml:13:11: faults[1].at: expected a duration like 300ms, 5s or 1m',
    ]);
  });

  it('suggests the closest enum value (service, check name, link)', () => {
    expect(problems(VALID.replace('service: inventory', 'service: inventry'))[0]).toMatch(
      /^bad\.yaml:13:35: invalid value 'inventry' at faults\[1\]\.kill\.service; did you mean 'inventory'\?/,
    );
    expect(problems(VALID.replace('- sagas_terminal', '- sagas_terminl'))[0]).toMatch(
      /^bad\.yaml:16:7: invalid value 'sagas_terminl' at expect\.checks\[0\]; did you mean 'sagas_terminal'\?/,
    );
    expect(problems(VALID.replace('payment.db', 'payments.db'))[0]).toMatch(
      /^bad\.yaml:12:41: .*unknown link 'payments\.db'; did you mean 'payment\.db'\?/,
    );
  });

  it('refuses a fault with no kind or two kinds, and `for` on an instant fault', () => {
    expect(
      problems(
        VALID.replace(
          'kill: { service: inventory, restart_after: 2s }',
          'kill: { service: inventory }, restart: { service: order }',
        ),
      )[0],
    ).toMatch(/^bad\.yaml:13:5: faults\[1\]: a fault has exactly one kind, found kill and restart/);
    expect(problems(VALID.replace('at: 500ms,', 'at: 500ms, for: 1s,'))[0]).toMatch(
      /^bad\.yaml:13:23: faults\[1\]\.for: kill is instant; use `restart_after`/,
    );
  });

  it('derives each toxic from the fault proxy: a required attribute, the alias, units', () => {
    expect(
      problems(
        VALID.replace(
          'latency: { link: payment.db, ms: 300, jitter: 100 }',
          'bandwidth: { link: payment.db }',
        ),
      )[0],
    ).toMatch(/^bad\.yaml:12:\d+: faults\[0\]\.bandwidth: bandwidth needs `rate`: maximum rate, in KB\/s/);
    expect(problems(VALID.replace('ms: 300, jitter: 100', 'jitter: 100'))[0]).toMatch(
      /faults\[0\]\.latency: latency needs `latency` \(or `ms`\)/,
    );
    const parsed = parseScenario(
      VALID.replace('ms: 300, jitter: 100', 'latency: 1s, stream: upstream'),
      'ok.yaml',
    );
    expect(parsed.scenario?.faults[0]).toEqual({
      at: 1000,
      for: 2000,
      kind: 'latency',
      options: {
        link: 'payment.db',
        stream: 'upstream',
        toxicity: 1,
        attributes: { latency: 1000, jitter: 0 },
      },
    });
  });

  it('http_error takes a gateway link and exactly one of first or probability', () => {
    const withFault = (fault: string) =>
      VALID.replace('latency: { link: payment.db, ms: 300, jitter: 100 }', `http_error: ${fault}`);
    expect(
      parseScenario(withFault('{ link: gateway.payment, status: 503, first: 3 }'), 'ok.yaml').scenario
        ?.faults[0],
    ).toMatchObject({
      kind: 'http_error',
      options: { link: 'gateway.payment', status: 503, first: 3, reset: false },
    });
    expect(problems(withFault('{ link: payment.db, status: 503, first: 3 }'))[0]).toMatch(
      /invalid value 'payment\.db' at faults\[0\]\.http_error\.link.*expected one of: gateway\.auth/,
    );
    expect(problems(withFault('{ link: gateway.payment, status: 503 }'))[0]).toMatch(
      /http_error needs exactly one of `first` or `probability`/,
    );
    expect(problems(withFault('{ link: gateway.payment, first: 1 }'))[0]).toMatch(
      /http_error needs exactly one of `status` or `reset: true`/,
    );
  });

  it('takes a lab clock and bake schedules, and points a bad one at its value', () => {
    const bakery = VALID.replace(
      'setup:',
      'stack:\n  clock: { speed: 720, start: "05:30", from: "06:00" }\nsetup:',
    ).replace(
      '    - { sku: bread, price: 4.50, stock: 5 }',
      '    - { sku: bread, price: 4.50, stock: 0, schedule: { every_minutes: 30, batch: 5, opens: "06:00", closes: "18:00" } }',
    );
    const parsed = parseScenario(bakery, 'bakery.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.scenario!.stack.clock).toEqual({ speed: 720, start: '05:30', from: '06:00' });
    expect(parsed.scenario!.setup.products[0]!.schedule).toEqual({
      every_minutes: 30,
      batch: 5,
      shelf_life_minutes: null,
      discount_percent: 0,
      discount_from: null,
      opens: '06:00',
      closes: '18:00',
    });
    expect(problems(bakery.replace('speed: 720', 'speed: 0'))).toEqual([
      'bad.yaml:4:19: stack.clock.speed: Too small: expected number to be >0',
    ]);
    expect(problems(bakery.replace('start: "05:30"', 'start: "half past five"'))).toEqual([
      expect.stringMatching(/^bad\.yaml:4:.*a clock start is "HH:MM" \(UTC\) or an ISO time/),
    ]);
    expect(problems(bakery.replace('closes: "18:00"', 'closes: "05:00"'))).toEqual([
      expect.stringMatching(/^bad\.yaml:.*closes must be after opens/),
    ]);
  });

  it('reports a missing required key at its parent', () => {
    expect(problems(VALID.replace('  orders: 10\n', ''))).toEqual([
      'bad.yaml:9:3: missing workload.orders (expected number)',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('name: x\ndescription: [unclosed\n')[0]).toMatch(/^bad\.yaml:\d+:\d+: /);
  });
});

describe('seeded random source', () => {
  it('gives the same draws for the same seed and different ones for another', () => {
    const draws = (seed: number) =>
      Array.from({ length: 5 }, () => createRandom(seed).fork('workload').int(0, 1000));
    const a = createRandom(7).fork('workload');
    const b = createRandom(7).fork('workload');
    expect(Array.from({ length: 20 }, () => a.next())).toEqual(Array.from({ length: 20 }, () => b.next()));
    expect(draws(7)).toEqual(draws(7));
    const c = createRandom(8).fork('workload');
    expect(Array.from({ length: 5 }, () => c.int(0, 1_000_000))).not.toEqual(
      Array.from({ length: 5 }, () => createRandom(7).fork('workload').int(0, 1_000_000)),
    );
  });

  it('forks by label: drawing from one stream never shifts another', () => {
    const root = createRandom(42);
    const workload = Array.from({ length: 10 }, (_, index) => root.fork('workload').int(0, 100) + index * 0);
    const busy = createRandom(42);
    const faults = busy.fork('fault:0:duplicate');
    for (let index = 0; index < 1000; index++) faults.next();
    expect(Array.from({ length: 10 }, () => busy.fork('workload').int(0, 100))).toEqual(workload);
  });

  it('draws roughly uniformly and stays in range', () => {
    const random = createRandom(1);
    const counts = [0, 0, 0, 0];
    for (let index = 0; index < 4000; index++) counts[random.int(0, 3)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(850);
    expect(random.sample([1, 2, 3, 4, 5], 3)).toHaveLength(3);
    expect(new Set(random.sample([1, 2, 3, 4, 5], 5)).size).toBe(5);
  });
});

describe('bundled scenarios', () => {
  it('are at least 10 valid files, each with a description, the two without demonstrations expecting invalid', () => {
    const files = bundledScenarioFiles();
    expect(files.length).toBeGreaterThanOrEqual(10);
    const scenarios = files.map((file) => loadScenarioFile(file).scenario);
    for (const scenario of scenarios) expect(scenario.description.length).toBeGreaterThan(80);
    const names = scenarios.map((scenario) => scenario.name);
    for (const name of [
      'order-saga',
      'duplicate-delivery',
      'relay-crash',
      'redelivery-rewind',
      'payment-db-latency',
      'inventory-crash-loop',
      'broker-restart',
      'link-partition',
      'poison-message',
      'compensation',
      'without-inbox',
      'without-outbox',
      'stale-read',
    ])
      expect(names).toContain(name);
    const withoutInbox = scenarios.find((scenario) => scenario.name === 'without-inbox')!;
    expect(withoutInbox.stack.without).toEqual(['inbox']);
    expect(withoutInbox.expect.verdict).toBe('invalid');
    expect(scenarios.find((scenario) => scenario.name === 'without-outbox')!.stack.without).toEqual([
      'outbox',
    ]);
  });

  it('resolves a bundled name, and refuses an unknown one with the closest name (exit 2)', () => {
    expect(resolveScenario('order-saga')).toMatch(/scenarios\/order-saga\.yaml$/);
    expect(() => resolveScenario('order-sag')).toThrow(
      expect.objectContaining({ exitCode: 2, hint: expect.stringContaining("'order-saga'") }),
    );
  });
});

describe('workload plan', () => {
  it('is the same for the same seed, different for another, and independent of the faults', () => {
    const scenario = parseScenario(VALID, 'mini.yaml').scenario!;
    const plan = (seed: number) => planWorkload(scenario, createRandom(seed).fork('workload'));
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
    const withoutFaults = parseScenario(VALID.replace(/faults:\n(.*\n){2}/, ''), 'mini.yaml').scenario!;
    expect(withoutFaults.faults).toEqual([]);
    expect(planWorkload(withoutFaults, createRandom(7).fork('workload'))).toEqual(plan(7));
    for (const order of plan(7)) {
      expect(order.lines.length).toBeGreaterThanOrEqual(1);
      expect(order.lines.length).toBeLessThanOrEqual(1); // one product in VALID
      expect(order.customer).toBeLessThan(2);
    }
  });
});

describe('steady_state', () => {
  const withSteadyState = (block: string) => VALID.replace('expect:\n', `${block}expect:\n`);

  it('parses its probes like expect.checks, opt-in checks and parameters included', () => {
    const parsed = parseScenario(
      withSteadyState(
        'steady_state:\n  before: [outbox_drained, dlq_accounted]\n  after:\n    - no_lost_event\n    - { outcomes: { pending: "== 0" } }\n',
      ),
      'steady.yaml',
    );
    expect(parsed.problems).toEqual([]);
    expect(parsed.scenario!.steadyState).toEqual({
      before: [{ name: 'outbox_drained' }, { name: 'dlq_accounted' }],
      after: [{ name: 'no_lost_event' }, { name: 'outcomes', expected: { pending: { op: '==', value: 0 } } }],
    });
  });

  it('is empty on both sides when a scenario has none', () => {
    expect(parseScenario(VALID, 'mini.yaml').scenario!.steadyState).toEqual({ before: [], after: [] });
  });

  it('points a misspelt probe and an unknown side at their line and column', () => {
    expect(problems(withSteadyState('steady_state:\n  before: [outbox_drainedd]\n'))[0]).toMatch(
      /^bad\.yaml:15:12: invalid value 'outbox_drainedd' at steady_state\.before\[0\]; did you mean 'outbox_drained'\?/,
    );
    expect(problems(withSteadyState('steady_state:\n  durng: [outbox_drained]\n'))[0]).toMatch(
      /^bad\.yaml:15:3: unknown key 'durng' in steady_state/,
    );
    expect(problems(withSteadyState('steady_state: {}\n'))[0]).toMatch(
      /^bad\.yaml:14:15: steady_state.*needs at least one probe/,
    );
  });
});
