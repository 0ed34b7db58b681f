/**
 * A kafkajs group member in its own process, so a test can SIGKILL it (it then stops
 * heartbeating without leaving). Usage: node groups-consumer-process.ts <bootstrap> <group> <topic> <name>
 * Prints one JSON line per event: {"assigned":[...]} on each join, {"partition","offset","value"} per message.
 */
import { FAST_GROUP, kafkaClient } from './groups-support.ts';

const [bootstrap, groupId, topic, name] = process.argv.slice(2);
if (!bootstrap || !groupId || !topic || !name) {
  process.stderr.write('usage: groups-consumer-process.ts <bootstrap> <group> <topic> <name>\n');
  process.exit(2);
}
const consumer = kafkaClient(bootstrap, name).consumer({ groupId, ...FAST_GROUP });
consumer.on(consumer.events.GROUP_JOIN, (event) => {
  process.stdout.write(`${JSON.stringify({ assigned: event.payload.memberAssignment[topic] ?? [] })}\n`);
});
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  eachMessage: async ({ partition, message }) => {
    const line = { partition, offset: message.offset, value: message.value?.toString() ?? '' };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  },
});
