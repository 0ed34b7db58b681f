import { describe, expect, it } from 'vitest';
import { type ScenarioDocument, shrink, smallerVariants } from './shrink.ts';

const FAILING: ScenarioDocument = {
  name: 'x',
  workload: { orders: 40, rate: '10/s', concurrency: 4 },
  faults: [
    { at: '1s', for: '4s', latency: { link: 'payment.db', ms: 100 } },
    { at: '0s', for: '6s', duplicate: { service: 'inventory', probability: 1, copies: 1 } },
    { at: '2s', kill: { service: 'order', restart_after: '1s' } },
    { at: '3s', for: '2s', down: { link: 'order.kafka' } },
  ],
};

/** A stand-in for a chaos run: the anomaly needs the duplicate fault, 3 orders and 1s of it. */
function anomalyShows(document: ScenarioDocument): boolean {
  const duplicate = document.faults?.find((fault) => 'duplicate' in fault);
  const window = duplicate ? Number(String(duplicate.for).replace(/ms$/, '').replace(/s$/, '000')) : 0;
  return duplicate !== undefined && Number(document.workload.orders) >= 3 && window >= 1000;
}

describe('shrinking a failing scenario', () => {
  it('ends at the smallest variant that still fails: one fault, its shortest window, fewest orders', async () => {
    const tried: ScenarioDocument[] = [];
    const result = await shrink({
      initial: FAILING,
      stillFails: async (document) => {
        tried.push(document);
        return anomalyShows(document);
      },
      maxAttempts: 200,
    });
    expect(result.exhausted).toBe(true);
    expect(result.minimal.faults).toEqual([
      { at: '0s', for: '1500ms', duplicate: { service: 'inventory', probability: 1, copies: 1 } },
    ]);
    expect(result.minimal.workload).toEqual({ orders: 3, rate: '1/s', concurrency: 1 });
    expect(anomalyShows(result.minimal)).toBe(true);
    // Every kept step is a run that failed; every other step a run that did not.
    for (const [index, step] of result.steps.entries()) expect(step.kept).toBe(anomalyShows(tried[index]!));
    // A change that did not reproduce waits until nothing else makes progress.
    expect(result.steps.filter((step) => step.change === 'drop duplicate')).toHaveLength(2);
  });

  it('stops at the budget and hands back the smallest failing variant found so far', async () => {
    const result = await shrink({
      initial: FAILING,
      stillFails: async (d) => anomalyShows(d),
      maxAttempts: 3,
    });
    expect(result.exhausted).toBe(false);
    expect(result.steps).toHaveLength(3);
    expect(anomalyShows(result.minimal)).toBe(true);
    expect(result.minimal.faults!.length).toBeLessThan(FAILING.faults!.length);
  });

  it('with confirmations, a variant that fails only sometimes is not kept', async () => {
    let runs = 0;
    // Every smaller variant fails every other run: flaky, so none may be kept.
    const flaky = async () => {
      runs += 1;
      return runs % 2 === 1;
    };
    const result = await shrink({
      initial: { ...FAILING, faults: [] },
      stillFails: flaky,
      maxAttempts: 50,
      confirmations: 2,
    });
    expect(result.minimal.workload.orders).toBe(40);
    expect(result.steps.every((step) => !step.kept)).toBe(true);
    expect(runs).toBe(result.steps.length * 2);
  });

  it('a variant that no longer fails is never kept', async () => {
    const result = await shrink({ initial: FAILING, stillFails: async () => false, maxAttempts: 100 });
    expect(result.minimal).toBe(FAILING);
    expect(result.exhausted).toBe(true);
    expect(result.steps.every((step) => !step.kept)).toBe(true);
  });

  it('tries halves of the faults before single ones', () => {
    const changes = [...smallerVariants(FAILING)].map((candidate) => candidate.change);
    expect(changes.slice(0, 6)).toEqual([
      'drop latency, duplicate',
      'drop kill, down',
      'drop latency',
      'drop duplicate',
      'drop kill',
      'drop down',
    ]);
    expect(changes).toContain('orders 40 → 20');
    expect(changes).toContain('duplicate lasts 6000ms → 3000ms');
  });
});
