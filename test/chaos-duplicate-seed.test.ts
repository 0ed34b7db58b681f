/**
 * The duplicate fault is deterministic: `lab chaos --seed` forks a seed for it, POST /admin/faults
 * hands it to the service, and the relay's "extra copies?" draws come from that seed. Here the real
 * fault module talks to the real fault-hook routes of services/kit on a real HTTP server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duplicate } from '../cli/chaos/faults/duplicate.ts';
import type { FaultContext } from '../cli/chaos/faults/types.ts';
import { parseScenario } from '../cli/chaos/loader.ts';
import { createRandom } from '../cli/chaos/random.ts';
import type { Endpoints } from '../cli/runtime/types.ts';
import { loadConfig } from '../services/kit/config.ts';
import { FaultHooks } from '../services/kit/faults.ts';
import { createHttpServer } from '../services/kit/http.ts';
import { createLogger } from '../services/kit/log.ts';
import { Metrics } from '../services/kit/metrics.ts';
import { registerOperationalRoutes } from '../services/kit/service.ts';

const TOKEN = 'test-admin-token';
const DRAWS = 500;

/** The decisions the relay would make for the next `count` events. */
function draws(faults: FaultHooks, count = DRAWS): number[] {
  return Array.from({ length: count }, () => faults.extraCopies());
}

describe('FaultHooks duplicate draws', () => {
  it('the same seed gives the same sequence of decisions; another seed, another one', () => {
    const fault = { probability: 0.3, copies: 2 };
    const first = new FaultHooks();
    first.setDuplicate({ ...fault, seed: 42 });
    const second = new FaultHooks();
    second.setDuplicate({ ...fault, seed: 42 });
    const sequence = draws(first);
    expect(draws(second)).toEqual(sequence);
    // Setting the hook again restarts its draws from the seed.
    first.setDuplicate({ ...fault, seed: 42 });
    expect(draws(first)).toEqual(sequence);
    const other = new FaultHooks();
    other.setDuplicate({ ...fault, seed: 43 });
    expect(draws(other)).not.toEqual(sequence);
    // The probability still holds: about 30% of the events get 2 extra copies, the rest none.
    const fired = sequence.filter((copies) => copies === 2).length;
    expect(sequence.every((copies) => copies === 0 || copies === 2)).toBe(true);
    expect(fired).toBeGreaterThan(DRAWS * 0.2);
    expect(fired).toBeLessThan(DRAWS * 0.4);
  });

  it('without a seed the draws are the unseeded source (LAB_RELAY_DUPLICATES, a hand-set hook)', () => {
    const faults = new FaultHooks({ random: () => 0.5 });
    faults.setDuplicate({ probability: 0.6, copies: 1 });
    expect(draws(faults, 3)).toEqual([1, 1, 1]);
    faults.setDuplicate({ probability: 0.4, copies: 1 });
    expect(draws(faults, 3)).toEqual([0, 0, 0]);
  });
});

describe('the duplicate fault module against the fault-hook routes', () => {
  const faults = new FaultHooks();
  const app = createHttpServer(createLogger('order', 'silent'));
  let url = '';

  beforeAll(async () => {
    registerOperationalRoutes(app, {
      config: loadConfig('order', { LAB_ADMIN_TOKEN: TOKEN }, { needsDatabase: false }),
      faults,
      metrics: new Metrics('order'),
      health: async () => ({}),
    });
    url = await app.listen({ host: '127.0.0.1', port: 0 });
  });

  afterAll(async () => {
    await app.close();
  });

  const fault = parseScenario(
    'name: t\ndescription: d\nsetup: { customers: 1, balance: 1, products: [{ sku: a, price: 1, stock: 1 }] }\n' +
      'workload: { orders: 1, rate: 1/s }\nfaults:\n  - { at: 0s, for: 1s, duplicate: { service: order, probability: 0.5 } }\n',
    'duplicate.yaml',
  ).scenario!.faults[0]!;

  /** Runs the fault as `lab chaos --seed <seed>` would (fault index 1), and the relay's next draws. */
  async function runWithScenarioSeed(seed: number): Promise<{ hookSeed: unknown; sequence: number[] }> {
    const decisions: Record<string, unknown>[] = [];
    const context = {
      endpoints: { services: { order: url } } as unknown as Endpoints,
      adminToken: TOKEN,
      random: createRandom(seed).fork('fault:1:duplicate'),
      decide: (decision: Record<string, unknown>) => decisions.push(decision),
      log: () => {},
      index: 1,
    } as unknown as FaultContext;
    const active = await duplicate.apply(duplicate.options.parse(fault.options), context);
    const hookSeed = faults.snapshot().duplicate?.seed;
    expect(decisions).toEqual([{ fault: 1, kind: 'duplicate', service: 'order', seed: hookSeed }]);
    const sequence = draws(faults);
    await active.heal();
    expect(faults.snapshot().duplicate).toBeNull();
    return { hookSeed, sequence };
  }

  it('the same scenario seed sets the same hook seed, so the relay makes the same decisions', async () => {
    const first = await runWithScenarioSeed(7);
    expect(first.hookSeed).toEqual(expect.any(Number));
    const again = await runWithScenarioSeed(7);
    expect(again).toEqual(first);
    const other = await runWithScenarioSeed(8);
    expect(other.hookSeed).not.toBe(first.hookSeed);
    expect(other.sequence).not.toEqual(first.sequence);
  });

  it('the route refuses a seed that is not a 32-bit unsigned integer', async () => {
    for (const seed of [-1, 1.5, 2 ** 32, 'x']) {
      const response = await fetch(`${url}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lab-admin-token': TOKEN },
        body: JSON.stringify({ duplicate: { probability: 1, copies: 1, seed } }),
      });
      expect(response.status, String(seed)).toBe(400);
    }
  });
});
