/**
 * eventsInFlight against the lab's real broker and kafkajs consumers: quiet only while every
 * member's partitions are committed up to their end; a lagging or rebalancing group is not.
 */
import type { Admin, Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTopic,
  type Delivery,
  produce,
  range,
  startMember,
  startTestBroker,
  type TestBroker,
  waitFor,
} from '../../infra/kafka/test/groups-support.ts';
import { eventsInFlight, liveConsumerGroups } from './quiescence.ts';

const TOPIC = 'inventory';

describe('eventsInFlight and liveConsumerGroups', () => {
  let broker: TestBroker;
  let admin: Admin;
  const consumers: Consumer[] = [];

  beforeAll(async () => {
    broker = await startTestBroker();
    const kafka = broker.kafka('quiescence-test');
    await createTopic(kafka, TOPIC, 2);
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => {});
    await admin?.disconnect();
    await broker?.close();
  });

  it('no consumer group at all: nothing can be in flight', async () => {
    expect(await eventsInFlight(admin)).toEqual({ quiet: true });
  });

  it('quiet once the group has consumed everything; a new event or a paused member is in flight', async () => {
    const kafka = broker.kafka('quiescence-member');
    await produce(kafka, TOPIC, range('before', 6));
    const deliveries: Delivery[] = [];
    const member = await startMember({ kafka, name: 'a', groupId: 'payment', topic: TOPIC, deliveries });
    consumers.push(member.consumer);
    // Until its offsets are committed (kafkajs commits after each batch), the group still lags.
    await waitFor('the group to catch up', async () => (await eventsInFlight(admin)).quiet, 20_000);
    expect(deliveries).toHaveLength(6);

    member.consumer.pause([{ topic: TOPIC }]);
    await produce(kafka, TOPIC, ['after']);
    const lagging = await eventsInFlight(admin);
    expect(lagging).toMatchObject({
      quiet: false,
      reason: expect.stringMatching(/^group payment is 1 behind on inventory\/[01]$/),
    });

    member.consumer.resume([{ topic: TOPIC }]);
    await waitFor('the resumed member to catch up', async () => (await eventsInFlight(admin)).quiet, 20_000);
    expect(deliveries.map((delivery) => delivery.value)).toContain('after');
  });

  it('a group that is rebalancing is not quiet; one whose members all left no longer counts', async () => {
    const kafka = broker.kafka('quiescence-rebalance');
    // Polled from before the second member joins: its join takes the group out of Stable until
    // both members have rejoined and synced.
    const reasons = new Set<string>();
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const state = await eventsInFlight(admin);
        if (!state.quiet) reasons.add(state.reason);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const second = await startMember({ kafka, name: 'b', groupId: 'payment', topic: TOPIC, deliveries: [] });
    consumers.push(second.consumer);
    await waitFor('quiet again after the rebalance', async () => (await eventsInFlight(admin)).quiet);
    polling = false;
    await poller;
    expect([...reasons]).toContainEqual(
      expect.stringMatching(/^group payment is (PreparingRebalance|CompletingRebalance)$/),
    );

    expect(await liveConsumerGroups(admin)).toEqual(['payment']);

    for (const consumer of consumers.splice(0)) await consumer.disconnect();
    await produce(kafka, TOPIC, ['nobody-reads-this']);
    // Not a group the run started with: nobody is going to read it.
    expect(await eventsInFlight(admin)).toEqual({ quiet: true });
    // One the run started with: its service has yet to come back.
    expect(await eventsInFlight(admin, ['payment'])).toEqual({
      quiet: false,
      reason: 'group payment has no members',
    });
    expect(await liveConsumerGroups(admin)).toEqual([]);
  });
});
