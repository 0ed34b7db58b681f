/**
 * What a run keeps besides the checks' rows: events.jsonl derived from the pattern tables, this
 * run's slice of each log, run lookup (`latest`, ids, directories), `lab logs --tail`, and
 * `lab events` reading the lab's own broker with a throwaway group, filtered by order.
 */
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunSnapshot } from '../cli/chaos/capture.ts';
import { runEvents } from '../cli/chaos/run-events.ts';
import { listRuns, resolveRun, sliceLog } from '../cli/chaos/rundir.ts';
import { tailWriter } from '../cli/commands/logs.ts';
import { tailTopics } from '../cli/report/broker-tail.ts';
import { LabError } from '../common/errors.ts';
import { type RunningBroker, startBroker } from '../infra/kafka/index.ts';

let root: string;
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lab-run-data-'));
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const ORDER = '00000000-0000-4000-8000-000000000001';
const EVENT = '00000000-0000-4000-8000-0000000000e1';

function snapshotWith(inbox: { deliveries: number; applied: number }): RunSnapshot {
  const kit = () => ({ outbox: [], inbox: [], dead_letters: [] });
  return {
    capturedAt: '2026-01-01T10:01:00.000Z',
    scope: {
      customerIds: [],
      products: [],
      initialBalanceCents: 0,
      startedAt: '2026-01-01T10:00:00.000Z',
      duplicatesInjected: true,
    },
    rows: {
      auth: kit(),
      catalog: kit(),
      inventory: {
        outbox: [
          {
            event_id: EVENT,
            seq: 1,
            aggregatetype: 'order',
            aggregateid: ORDER,
            type: 'StockReserved',
            topic: 'inventory',
            headers: { 'correlation-id': ORDER },
            payload: { order_id: ORDER },
            created_at: '2026-01-01T10:00:01.000Z',
            published_at: '2026-01-01T10:00:01.005Z',
            copies_published: 1,
          },
        ],
        inbox: [],
        dead_letters: [],
        stock_units: [],
      },
      order: { ...kit(), orders: [], order_lines: [], order_history: [] },
      payment: {
        outbox: [],
        inbox: [
          {
            consumer: 'payment',
            event_id: EVENT,
            event_type: 'StockReserved',
            topic: 'inventory',
            ...inbox,
            first_seen_at: '2026-01-01T10:00:01.010Z',
            last_seen_at: '2026-01-01T10:00:01.050Z',
          },
        ],
        dead_letters: [
          {
            id: 1,
            consumer: 'payment',
            topic: 'inventory',
            partition: 0,
            offset: '7',
            event_id: null,
            event_type: null,
            key: ORDER,
            value: '\u0000garbage',
            error: 'Unexpected token',
            attempts: 3,
            created_at: '2026-01-01T10:00:02.000Z',
          },
        ],
        accounts: [],
        top_ups: [],
        payments: [],
      },
      shipping: { ...kit(), shipments: [] },
      search: kit(),
    },
  };
}

describe('events.jsonl', () => {
  it('has the outbox row with its publish time, every delivery with its fate, and the dead letter', () => {
    const events = runEvents(snapshotWith({ deliveries: 3, applied: 1 }));
    expect(events.map((event) => event.kind)).toEqual([
      'emitted',
      'delivered',
      'delivered',
      'delivered',
      'dead_letter',
    ]);
    expect(events[0]).toMatchObject({
      service: 'inventory',
      orderId: ORDER,
      publishedAt: '2026-01-01T10:00:01.005Z',
      copies: 1,
    });
    const deliveries = events.filter((event) => event.kind === 'delivered');
    expect(
      deliveries.map((event) => [event.delivery, event.duplicate, event.applied, event.timeExact]),
    ).toEqual([
      [1, false, true, true],
      [2, true, false, false],
      [3, true, false, true],
    ]);
    expect(deliveries.every((event) => event.orderId === ORDER)).toBe(true);
    expect(events[4]).toMatchObject({ kind: 'dead_letter', orderId: ORDER, attempts: 3 });
  });

  it('without the inbox, a duplicate is applied again', () => {
    const deliveries = runEvents(snapshotWith({ deliveries: 2, applied: 2 })).filter(
      (event) => event.kind === 'delivered',
    );
    expect(deliveries.map((event) => event.applied)).toEqual([true, true]);
  });
});

describe("a run's slice of a log", () => {
  const since = Date.parse('2026-01-01T10:00:00.000Z');
  it('keeps the lines stamped since the run started, with the untimed lines that follow them', () => {
    const log = [
      '{"level":30,"time":"2026-01-01T09:59:59.000Z","msg":"before"}',
      'a stack trace line of the earlier run',
      '{"level":30,"time":"2026-01-01T10:00:00.500Z","msg":"during"}',
      '    at handler (file.ts:1:1)',
      '{"level":30,"time":1767261601000,"msg":"epoch ms"}',
      '2026-01-01 10:00:02.000 UTC [123] LOG:  checkpoint starting',
      '',
    ].join('\n');
    expect(sliceLog(log, since).split('\n').filter(Boolean)).toEqual([
      '{"level":30,"time":"2026-01-01T10:00:00.500Z","msg":"during"}',
      '    at handler (file.ts:1:1)',
      '{"level":30,"time":1767261601000,"msg":"epoch ms"}',
      '2026-01-01 10:00:02.000 UTC [123] LOG:  checkpoint starting',
    ]);
    expect(sliceLog('{"time":"2026-01-01T09:00:00.000Z"}\n', since)).toBe('');
  });
});

describe('finding runs', () => {
  it('lists newest first, resolves latest, ids, prefixes and directories, refuses the rest with exit 2', () => {
    const runs = path.join(root, 'runs');
    for (const [id, startedAt] of [
      ['20260101T100000Z-a-s1-0001', '2026-01-01T10:00:00.000Z'],
      ['20260101T110000Z-b-s1-0002', '2026-01-01T11:00:00.000Z'],
    ] as const) {
      mkdirSync(path.join(runs, id), { recursive: true });
      writeFileSync(
        path.join(runs, id, 'result.json'),
        JSON.stringify({ scenario: id.split('-')[1], verdict: 'valid', startedAt }),
      );
    }
    // A run still going has no result yet: it sorts by its directory's time.
    mkdirSync(path.join(runs, '20250101T000000Z-c-s1-0003'));
    utimesSync(path.join(runs, '20250101T000000Z-c-s1-0003'), new Date('2025-01-01'), new Date('2025-01-01'));
    expect(listRuns(runs).map((run) => run.id)).toEqual([
      '20260101T110000Z-b-s1-0002',
      '20260101T100000Z-a-s1-0001',
      '20250101T000000Z-c-s1-0003',
    ]);
    expect(resolveRun('latest', runs)).toBe(path.join(runs, '20260101T110000Z-b-s1-0002'));
    expect(resolveRun('20260101T100000Z-a-s1-0001', runs)).toBe(
      path.join(runs, '20260101T100000Z-a-s1-0001'),
    );
    expect(resolveRun('0001', runs)).toBe(path.join(runs, '20260101T100000Z-a-s1-0001'));
    expect(resolveRun(path.join(runs, '20260101T100000Z-a-s1-0001'), path.join(root, 'elsewhere'))).toBe(
      path.join(runs, '20260101T100000Z-a-s1-0001'),
    );
    let refused: unknown;
    try {
      resolveRun('nope', runs);
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(LabError);
    expect((refused as LabError).exitCode).toBe(2);
    expect(() => resolveRun('latest', path.join(root, 'empty'))).toThrow(/no runs/);
  });
});

describe('lab logs --tail', () => {
  it('writes the last N lines of the backlog, then passes new lines through', () => {
    const out: string[] = [];
    const writer = tailWriter(2, (chunk) => out.push(chunk));
    writer.write('one\ntwo\nthr');
    writer.write('ee\nfour\n');
    writer.flush();
    writer.write('five\n');
    expect(out.join('')).toBe('three\nfour\nfive\n');
  });
});

describe('lab events', () => {
  let broker: RunningBroker;
  let bootstrap: string;
  beforeAll(async () => {
    broker = await startBroker({ dataDir: path.join(root, 'kafka'), partitions: 2 });
    bootstrap = `127.0.0.1:${broker.listeners[0]!.port}`;
    const producer = new Kafka({
      clientId: 'test',
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
    }).producer();
    await producer.connect();
    const other = '00000000-0000-4000-8000-000000000002';
    const event = (type: string, order: string, at: number) => ({
      key: order,
      timestamp: String(Date.parse('2026-01-01T10:00:00.000Z') + at),
      headers: { 'event-type': type, 'event-id': `${type}-id`, producer: 'order', 'correlation-id': order },
      value: JSON.stringify({ order_id: order }),
    });
    await producer.send({
      topic: 'orders',
      messages: [event('OrderPlaced', ORDER, 0), event('OrderPlaced', other, 1)],
    });
    await producer.send({ topic: 'inventory', messages: [event('StockReserved', ORDER, 5)] });
    await producer.send({ topic: 'orders', messages: [event('OrderConfirmed', ORDER, 9)] });
    await producer.send({
      topic: 'orders.dlq',
      messages: [{ key: ORDER, value: 'not json', headers: { error: 'Unexpected token', attempts: '3' } }],
    });
    await producer.disconnect();
  }, 60_000);
  afterAll(async () => {
    await broker?.close();
  });

  it("prints one order's events in time order with decoded headers and payloads, dead letters with why", async () => {
    const out: string[] = [];
    const shown = await tailTopics({
      brokers: [bootstrap],
      orderId: ORDER,
      tail: 20,
      follow: false,
      signal: new AbortController().signal,
      write: (text) => out.push(text),
    });
    expect(shown).toBe(4);
    const text = out.join('');
    const types = [...text.matchAll(/@\d+ (\S+)/g)].map((match) => match[1]);
    expect(types.slice(0, 3)).toEqual(['OrderPlaced', 'StockReserved', 'OrderConfirmed']);
    expect(text).toContain(`{"order_id":"${ORDER}"}`);
    expect(text).toContain('from order');
    expect(text).toContain('dead letter after 3 attempts: Unexpected token');
    expect(text).not.toContain('000000000002"}');
  }, 60_000);

  it('--topic and --tail limit what is read', async () => {
    const out: string[] = [];
    await tailTopics({
      brokers: [bootstrap],
      topics: ['orders'],
      tail: 1,
      follow: false,
      signal: new AbortController().signal,
      write: (text) => out.push(text),
    });
    const text = out.join('');
    expect(text).not.toContain('StockReserved');
    // One message per partition of `orders`: the last of each.
    expect(text.match(/^\S+ orders\[/gm)?.length).toBeLessThanOrEqual(2);
  }, 60_000);
});
