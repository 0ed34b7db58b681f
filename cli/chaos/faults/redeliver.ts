/**
 * `redeliver`: rewind the service's consumer group on a topic, as an operator would: stop the
 * service cleanly (a group's offsets can only be moved while it has no members, and a consumer that
 * shuts down leaves its group at once instead of after its session timeout), wait until the broker
 * sees the group empty, move the committed offsets back (to the start, or `rewind` messages per
 * partition), start the service again. It then receives those events a second time.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { TOPICS } from '../../../common/roster.ts';
import { positiveInt, service, topic } from '../fields.ts';
import { ensureRunning } from './process.ts';
import { defineFault, once } from './types.ts';

const EMPTY_GROUP_DEADLINE_MS = 90_000;

export const redeliver = defineFault({
  kind: 'redeliver',
  summary:
    "the service's consumer group is rewound on `topic` by `rewind` messages per partition (all: to the start)",
  timing: 'instant',
  options: z.strictObject({
    service,
    topic,
    rewind: z.union([z.literal('all'), positiveInt]).default('all'),
  }),
  target: (options) => `${options.service}@${options.topic}`,
  targetType: 'service',
  sample: (random, target) => ({
    service: target,
    topic: random.pick(TOPICS),
    rewind: random.chance(0.5) ? 'all' : random.int(1, 50),
  }),
  injectsDuplicates: true,
  async apply({ service, topic, rewind }, context) {
    const group = service;
    const admin = context.kafka().admin();
    await admin.connect();
    try {
      await context.runtime.stop(service);
      context.log(`${service} stopped; waiting for consumer group '${group}' to empty`);
      const deadline = Date.now() + EMPTY_GROUP_DEADLINE_MS;
      for (;;) {
        context.signal.throwIfAborted();
        const { groups } = await admin.describeGroups([group]);
        const state = groups[0]?.state;
        if (state === 'Empty' || state === 'Dead') break;
        if (Date.now() > deadline)
          throw new Error(
            `consumer group '${group}' still ${state} after ${EMPTY_GROUP_DEADLINE_MS / 1000}s`,
          );
        await sleep(500);
      }
      const committed = (await admin.fetchOffsets({ groupId: group, topics: [topic] }))[0]?.partitions ?? [];
      const low = new Map(
        (await admin.fetchTopicOffsets(topic)).map((partition) => [
          partition.partition,
          Number(partition.low),
        ]),
      );
      const partitions = committed.map(({ partition, offset }) => {
        const start = low.get(partition) ?? 0;
        const current = Number(offset) < 0 ? start : Number(offset);
        const target = rewind === 'all' ? start : Math.max(start, current - rewind);
        return { partition, from: current, offset: String(target) };
      });
      context.decide({ fault: context.index, kind: 'redeliver', group, topic, partitions });
      await admin.setOffsets({
        groupId: group,
        topic,
        partitions: partitions.map(({ partition, offset }) => ({ partition, offset })),
      });
      const replayed = partitions.reduce(
        (sum, partition) => sum + partition.from - Number(partition.offset),
        0,
      );
      context.log(`rewound '${group}' on ${topic} by ${replayed} messages; restarting ${service}`);
    } finally {
      await admin.disconnect().catch(() => {});
      // Whatever failed above, the service comes back.
      await ensureRunning(context.runtime, service);
    }
    return { heal: once(() => ensureRunning(context.runtime, service)) };
  },
});
