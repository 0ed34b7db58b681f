/** latency_p99: the 99th percentile of the client's successful operations stays under `max`. */
import { z } from 'zod';
import { duration } from '../fields.ts';
import { formatDuration } from '../units.ts';
import { type CheckDefinition, invalid, unknown, valid } from './types.ts';

export function percentile(sortedValues: number[], fraction: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const rank = Math.ceil(fraction * sortedValues.length) - 1;
  return sortedValues[Math.min(Math.max(rank, 0), sortedValues.length - 1)]!;
}

export const latencyP99: CheckDefinition = {
  name: 'latency_p99',
  description: "the 99th percentile of the client's successful operations stays under max",
  parameters: '{ latency_p99: { max: 2s } }',
  options: {
    schema: z.strictObject({ max: duration }),
    toSpec: (value) => ({ name: 'latency_p99', max: (value as { max: number }).max }),
  },
  run: (context) => {
    if (context.spec.name !== 'latency_p99') throw new Error('latency_p99 needs its spec');
    const max = context.spec.max;
    const ok = context.operations.filter((operation) => operation.outcome === 'ok');
    if (ok.length === 0) return unknown('no successful operation to measure');
    const latencies = ok.map((operation) => operation.end - operation.start).sort((a, b) => a - b);
    const p99 = percentile(latencies, 0.99);
    const summary = `p99 ${formatDuration(p99)} over ${ok.length} operations (max ${formatDuration(max)})`;
    if (p99 <= max) return valid(summary);
    const slowest = [...ok]
      .sort((a, b) => b.end - b.start - (a.end - a.start))
      .map((operation) => ({
        index: operation.index,
        order_id: operation.orderId,
        latency_ms: operation.end - operation.start,
      }));
    return invalid(summary, slowest);
  },
};
