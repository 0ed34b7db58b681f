/**
 * `poison`: malformed events on a topic. Each one is a kind the seeded random source picks (so the
 * same seed poisons the same way): not JSON, JSON of the wrong shape, or a known event type whose
 * payload is missing its fields. The consumer must dead-letter them and move on.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { positiveInt, topic } from '../fields.ts';
import { defineFault, once } from './types.ts';

const POISONS = [
  { name: 'not-json', headers: {}, value: () => '{"order_id": ' },
  { name: 'wrong-shape', headers: { 'event-type': 'OrderPlaced' }, value: () => '[1, 2, 3]' },
  { name: 'missing-fields', headers: { 'event-type': 'StockReserved' }, value: () => '{"hello": "world"}' },
  { name: 'binary', headers: {}, value: () => Buffer.from([0xff, 0xfe, 0x00, 0x01]) },
] as const;

export const poison = defineFault({
  kind: 'poison',
  summary: 'malformed events on a topic: the consumers must dead-letter them and move on',
  timing: 'instant',
  options: z.strictObject({ topic, count: positiveInt.default(1) }),
  target: (options) => options.topic,
  targetType: 'topic',
  sample: (random, target) => ({ topic: target, count: random.int(1, 3) }),
  async apply({ topic, count }, context) {
    const producer = context.kafka().producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      const messages = Array.from({ length: count }, (_, index) => {
        const kind = context.random.pick(POISONS);
        const key = `poison-${context.index}-${index}`;
        context.decide({
          fault: context.index,
          kind: 'poison',
          topic,
          message: index,
          poison: kind.name,
          key,
        });
        return {
          key,
          value: kind.value(),
          // An event id makes the dead letter traceable; some poisons carry none on purpose.
          headers: {
            ...kind.headers,
            ...(index % 2 === 0 ? { 'event-id': randomUUID(), producer: 'lab-poison' } : {}),
          },
        };
      });
      await producer.send({ topic, messages });
    } finally {
      await producer.disconnect();
    }
    context.log(`${count} poison message${count === 1 ? '' : 's'} on ${topic}`);
    return { heal: once(async () => {}) };
  },
});
