/**
 * outcomes: how the run's orders ended, against the scenario's expectations, e.g.
 * `{ outcomes: { confirmed: ">= 200" } }`. confirmed/cancelled/pending come from the order
 * database; failed (refused by the API) and unknown (timeout, cut connection) from the history.
 */
import { z } from 'zod';
import type { RunSnapshot } from '../capture.ts';
import { comparison } from '../fields.ts';
import type { OperationEntry } from '../history.ts';
import type { OutcomeName } from '../schema.ts';
import { type Comparison, compare } from '../units.ts';
import { runOrders } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

/** How an order can end, from the client's and the order service's side. */
export const OUTCOME_NAMES = ['confirmed', 'cancelled', 'pending', 'failed', 'unknown'] as const;

export function countOutcomes(
  snapshot: RunSnapshot,
  operations: OperationEntry[],
): Record<OutcomeName, number> {
  const orders = runOrders(snapshot);
  const count = (status: string) => orders.filter((order) => order.status === status).length;
  return {
    confirmed: count('CONFIRMED'),
    cancelled: count('CANCELLED'),
    pending: count('PENDING'),
    failed: operations.filter((operation) => operation.outcome === 'fail').length,
    unknown: operations.filter((operation) => operation.outcome === 'info').length,
  };
}

export const outcomes: CheckDefinition = {
  name: 'outcomes',
  description:
    'how many orders were confirmed, cancelled, pending, failed or unknown, against the expected counts',
  parameters: '{ outcomes: { confirmed: ">= 200", pending: "== 0" } }',
  options: {
    schema: z.strictObject(
      Object.fromEntries(OUTCOME_NAMES.map((name) => [name, comparison.optional()])) as Record<
        OutcomeName,
        z.ZodOptional<typeof comparison>
      >,
    ),
    toSpec: (value) => ({
      name: 'outcomes',
      expected: Object.fromEntries(
        Object.entries(value as Record<string, Comparison | undefined>).filter(
          ([, given]) => given !== undefined,
        ),
      ) as Partial<Record<OutcomeName, Comparison>>,
    }),
  },
  run: (context) => {
    if (context.spec.name !== 'outcomes') throw new Error('outcomes needs its spec');
    const counts = countOutcomes(context.snapshot, context.operations);
    const expected = Object.entries(context.spec.expected) as Array<[OutcomeName, Comparison]>;
    const missed = expected
      .filter(([name, comparison]) => !compare(counts[name], comparison))
      .map(([name, comparison]) => ({
        outcome: name,
        expected: `${comparison.op} ${comparison.value}`,
        actual: counts[name],
      }));
    const summary = Object.entries(counts)
      .map(([name, value]) => `${name} ${value}`)
      .join(', ');
    if (missed.length === 0) return valid(summary);
    return invalid(
      `${summary}; expected ${missed.map((miss) => `${miss.outcome} ${miss.expected}`).join(', ')}`,
      missed,
    );
  },
};
