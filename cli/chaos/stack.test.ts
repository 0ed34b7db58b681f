import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUNDLED_SCENARIOS_DIR, loadScenarioFile } from './loader.ts';
import { warmStackOrder } from './stack.ts';

const bundled = readdirSync(BUNDLED_SCENARIOS_DIR)
  .filter((file) => file.endsWith('.yaml'))
  .sort()
  .map((file) => loadScenarioFile(path.join(BUNDLED_SCENARIOS_DIR, file)));

/** The stack each scenario needs, in suite order, with runs of the same stack merged. */
function stacks(order: ReturnType<typeof warmStackOrder>): string[] {
  const needs = order.map(
    ({ scenario }) => `${scenario.stack.without.join(',') || 'all'}${scenario.stack.clock ? ' clocked' : ''}`,
  );
  return needs.filter((need, index) => need.endsWith('clocked') || need !== needs[index - 1]);
}

describe('the order of a suite on a warm stack', () => {
  it('groups the bundled scenarios by stack, clocked ones after their real-time group, poison last', () => {
    const order = warmStackOrder(bundled);
    // One stack per group; each clocked scenario starts its own, after the real-time ones.
    expect(stacks(order)).toEqual(['all', 'all clocked', 'inbox', 'outbox', 'stale_guard clocked']);
    const allPatterns = order.filter(
      ({ scenario }) => scenario.stack.without.length === 0 && !scenario.stack.clock,
    );
    expect(allPatterns.at(-1)?.scenario.name).toBe('poison-message');
    // Otherwise the order given is kept (here: by file name).
    const names = allPatterns.slice(0, -1).map(({ scenario }) => scenario.name);
    expect(names).toEqual([...names].sort());
    expect(order).toHaveLength(bundled.length);
  });

  it('a kit given for the whole suite overrides each file, so files that differ only in kit share a stack', () => {
    const fast = bundled.map((entry) => ({
      ...entry,
      scenario: { ...entry.scenario, stack: { ...entry.scenario.stack, kit: 'fast' as const } },
    }));
    // broker-restart, compensation, db-crash: all patterns on, real-time.
    const mixed = [fast[2]!, bundled[3]!, fast[4]!];
    expect(warmStackOrder(mixed, 'reference').map(({ scenario }) => scenario.name)).toEqual(
      mixed.map(({ scenario }) => scenario.name),
    );
    expect(warmStackOrder(mixed).map(({ scenario }) => scenario.stack.kit)).toEqual([
      'fast',
      'fast',
      'reference',
    ]);
  });
});
