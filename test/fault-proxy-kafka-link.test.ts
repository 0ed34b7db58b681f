/**
 * A `<service>.kafka` link as the stack wires it: the broker has a listener for the link that
 * advertises the link's own listen address, so a kafkajs client bootstrapped through the proxy
 * stays behind it after metadata. Cutting the link stops consumption; restoring it resumes with
 * nothing lost.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultClient } from '../cli/faults/client.ts';
import { type FaultProxy, startFaultProxy } from '../infra/fault-proxy/server.ts';
import { portOf, waitFor } from '../infra/fault-proxy/test-support.ts';
import { type BrokerFixture, startTestBroker } from '../infra/kafka/test-support/broker-fixture.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let faultProxy: FaultProxy;
let faults: FaultClient;
let broker: BrokerFixture;
let linkPort: number;

beforeAll(async () => {
  faultProxy = await startFaultProxy({ port: 0 });
  faults = new FaultClient(faultProxy.url);
  // The link's listen port must be known before the broker can advertise it.
  const [link] = await faults.populate([
    { name: 'inventory.kafka', listen: '127.0.0.1:0', upstream: '127.0.0.1:1' },
  ]);
  linkPort = portOf(link?.listen ?? '');
  broker = await startTestBroker({
    listeners: [{ host: '127.0.0.1', port: 0, advertisedHost: '127.0.0.1', advertisedPort: linkPort }],
  });
  const linkListener = broker.broker.listeners[1] as { port: number };
  await faults.populate([
    { name: 'inventory.kafka', listen: `127.0.0.1:${linkPort}`, upstream: `127.0.0.1:${linkListener.port}` },
  ]);
}, 240_000);

afterAll(async () => {
  await faultProxy?.close();
  await broker?.stop();
});

describe('<service>.kafka link', { timeout: 180_000 }, () => {
  it('kafkajs never bypasses the proxy after metadata; down stops consuming, up resumes with no event lost', async () => {
    const viaLink = new Kafka({
      clientId: 'inventory',
      brokers: [`127.0.0.1:${linkPort}`],
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    const direct = new Kafka({ clientId: 'order', brokers: [broker.bootstrap], logLevel: logLevel.NOTHING });

    const admin = viaLink.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 1 }] });
    const cluster = await admin.describeCluster();
    expect(cluster.brokers.map((node) => `${node.host}:${node.port}`)).toEqual([`127.0.0.1:${linkPort}`]);
    await admin.disconnect();

    const producer = direct.producer();
    await producer.connect();
    const send = async (from: number, to: number): Promise<void> => {
      const messages = [];
      for (let i = from; i < to; i += 1) messages.push({ key: `order-${i}`, value: `event-${i}` });
      await producer.send({ topic: 'orders', messages });
    };

    const received: string[] = [];
    const consumer = viaLink.consumer({ groupId: 'inventory', maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push(String(message.value));
      },
    });
    try {
      await send(0, 10);
      await waitFor(() => received.length >= 10, 30_000, 'the first 10 events');

      await faults.setEnabled('inventory.kafka', false);
      await send(10, 20);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // Nothing arrives while the link is down: the consumer has no other way to the broker.
      expect(received.length).toBe(10);

      await faults.setEnabled('inventory.kafka', true);
      await waitFor(() => new Set(received).size >= 20, 45_000, 'the events sent while the link was down');
      const expected = Array.from({ length: 20 }, (_, i) => `event-${i}`);
      expect([...new Set(received)].sort()).toEqual(expected.sort());
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
