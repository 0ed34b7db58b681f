/**
 * The `partition` fault kind: accepted by the scenario schema, and refused with a clear message
 * (before touching anything) by a runtime that has no container network to cut.
 */
import { describe, expect, it } from 'vitest';
import { partition } from '../cli/chaos/faults/partition.ts';
import type { FaultContext } from '../cli/chaos/faults/types.ts';
import { parseScenario } from '../cli/chaos/loader.ts';
import { LocalRuntime } from '../cli/runtime/local/local-runtime.ts';
import { LabError } from '../common/errors.ts';
import { PARTITION_SCENARIO } from './docker-partition-scenario.ts';

describe('partition fault', () => {
  it('is a fault kind of the scenario format, with a service and a duration', () => {
    const parsed = parseScenario(PARTITION_SCENARIO, 'payment-partition.yaml');
    expect(parsed.problems).toEqual([]);
    expect(parsed.scenario?.faults).toEqual([
      { at: 2000, for: 5000, kind: 'partition', options: { service: 'payment' } },
    ]);
    const typo = parseScenario(
      PARTITION_SCENARIO.replace('service: payment', 'service: paymnt'),
      'typo.yaml',
    );
    expect(typo.problems.length).toBeGreaterThan(0);
  });

  it('is refused on the local runtime with E_PARTITION_NEEDS_DOCKER and a way out', async () => {
    const context = { runtime: new LocalRuntime(), log: () => undefined } as unknown as FaultContext;
    const error = await partition.apply({ service: 'payment' }, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('E_PARTITION_NEEDS_DOCKER');
    expect((error as LabError).exitCode).toBe(2);
    expect((error as LabError).message).toContain('local runtime');
    expect((error as LabError).hint).toContain('--runtime docker');
  });
});
