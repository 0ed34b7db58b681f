import { stripVTControlCharacters } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { OrderModel } from './model.ts';
import { formatOrderTrace } from './trace-text.ts';

const order: OrderModel = {
  id: 'ec3204e6-b292-42a4-86db-08bebf820ebc',
  status: 'CONFIRMED',
  reason: null,
  totalCents: 300,
  created: 1003,
  completed: 1094,
  steps: [
    {
      kind: 'emit',
      t: 1003,
      service: 'order',
      type: 'OrderPlaced',
      event: '74e73075',
      published: 1037,
      copies: 0,
    },
    {
      kind: 'deliver',
      t: 1065,
      consumer: 'search-8d312426',
      type: 'OrderPlaced',
      event: '74e73075',
      delivery: 1,
      applied: true,
      exact: true,
    },
  ],
  traces: ['61282f88313951b3756bfc4a5f08b036'],
  spans: [
    { spanId: '0', name: 'POST /api/order/orders', service: 'gateway', start: 978, end: 1013.3 },
    { spanId: '1', parentSpanId: '0', name: 'place order', service: 'order', start: 998, end: 1009.1 },
  ],
  flags: [],
};

const lines = () => stripVTControlCharacters(formatOrderTrace(order)).split('\n');

describe('formatOrderTrace', () => {
  it('times everything from the first step or span, so the gateway span starts at +0.0', () => {
    const text = lines();
    expect(text.find((line) => line.includes('POST /api/order/orders'))).toMatch(/^\s+\+0\.0 ms {2}gateway/);
    expect(text.find((line) => line.includes('emitted'))).toMatch(/^\s+\+25\.0 ms .*published \+59\.0 ms/);
    expect(text.join('\n')).not.toContain('+-');
  });

  it('pads the lane column to the longest consumer name', () => {
    const [emitted, received] = lines().filter((line) => / (emitted|received) /.test(line));
    expect(emitted!.indexOf('emitted')).toBe(received!.indexOf('received'));
    expect(received).toMatch(/search-8d312426 +received/);
  });
});
