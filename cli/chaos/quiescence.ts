/**
 * Quiescence: no event is left between the services. Every consumer group that had members when
 * the run began has them still, is Stable, and has committed up to the end of every partition
 * assigned to it, so nothing published waits to be consumed (with the outboxes empty, nothing
 * waits to be published either). The settle phase uses it to stop waiting for sagas that can no
 * longer move, as when a switched-off pattern lost their event: with nothing in flight, waiting
 * longer cannot change the verdict.
 *
 * Every doubt counts as "something may still move": a group rebalancing, or without members while
 * its service rejoins (after a broker restart, say), a partition with no commit behind data, a
 * broker that does not answer.
 */
import { type Admin, AssignerProtocol } from 'kafkajs';

export type InFlight = { quiet: true } | { quiet: false; reason: string };

/** The consumer groups with members now: the services consuming, taken before any fault. */
export async function liveConsumerGroups(admin: Admin): Promise<string[]> {
  const { groups: listed } = await admin.listGroups();
  const ids = listed.filter((group) => group.protocolType === 'consumer').map((group) => group.groupId);
  if (ids.length === 0) return [];
  const { groups } = await admin.describeGroups(ids);
  return groups.filter((group) => group.members.length > 0).map((group) => group.groupId);
}

/** `live`: the groups that must have members (liveConsumerGroups before the faults). */
export async function eventsInFlight(admin: Admin, live: readonly string[] = []): Promise<InFlight> {
  const { groups: listed } = await admin.listGroups();
  const ids = new Set([
    ...live,
    ...listed.filter((group) => group.protocolType === 'consumer').map((group) => group.groupId),
  ]);
  if (ids.size === 0) return { quiet: true };
  const { groups } = await admin.describeGroups([...ids]);
  const highs = new Map<string, Map<number, { low: number; high: number }>>();
  const offsetsOf = async (topic: string) => {
    let offsets = highs.get(topic);
    if (!offsets) {
      offsets = new Map(
        (await admin.fetchTopicOffsets(topic)).map((entry) => [
          entry.partition,
          { low: Number(entry.low), high: Number(entry.high) },
        ]),
      );
      highs.set(topic, offsets);
    }
    return offsets;
  };
  for (const group of groups) {
    if (group.state === 'Empty' || group.state === 'Dead') {
      if (live.includes(group.groupId))
        return { quiet: false, reason: `group ${group.groupId} has no members` };
      // A tool's group, or an earlier incarnation's: it consumes nothing any more.
      continue;
    }
    if (group.state !== 'Stable') return { quiet: false, reason: `group ${group.groupId} is ${group.state}` };
    const assigned = new Map<string, number[]>();
    for (const member of group.members) {
      const decoded = AssignerProtocol.MemberAssignment.decode(member.memberAssignment);
      for (const [topic, partitions] of Object.entries(decoded?.assignment ?? {}))
        assigned.set(topic, [...(assigned.get(topic) ?? []), ...partitions]);
    }
    if (assigned.size === 0) continue;
    const committed = await admin.fetchOffsets({ groupId: group.groupId, topics: [...assigned.keys()] });
    for (const { topic, partitions } of committed) {
      const ends = await offsetsOf(topic);
      const mine = new Set(assigned.get(topic));
      for (const { partition, offset } of partitions) {
        if (!mine.has(partition)) continue;
        const end = ends.get(partition);
        if (!end) return { quiet: false, reason: `${topic}/${partition} has no offsets` };
        const position = Number(offset) < 0 ? end.low : Number(offset);
        if (position < end.high)
          return {
            quiet: false,
            reason: `group ${group.groupId} is ${end.high - position} behind on ${topic}/${partition}`,
          };
      }
    }
  }
  return { quiet: true };
}
