/**
 * How the broker plugs in the group coordinator, and how the group API handlers find it.
 *
 *   import { groupCoordinatorFactory } from './groups/index.ts';
 *   broker options: { coordinator: groupCoordinatorFactory() }
 *
 * Committed offsets go to `<services.dataDir>/consumer-offsets.jsonl` (see offset-store.ts),
 * stable groups' membership to `membership.json` (see membership-store.ts).
 */
import type { CoordinatorServices, GroupCoordinatorFactory, RequestContext } from '../protocol/context.ts';
import { GroupCoordinator, type GroupCoordinatorOptions } from './coordinator.ts';
import { MembershipStore } from './membership-store.ts';
import { OffsetStore } from './offset-store.ts';

export { GroupCoordinator } from './coordinator.ts';
export { OffsetStore } from './offset-store.ts';

export type GroupTuning = Omit<GroupCoordinatorOptions, 'offsets' | 'membership' | 'partitionExists'>;

export function groupCoordinatorFactory(tuning: GroupTuning = {}): GroupCoordinatorFactory {
  return (services: CoordinatorServices) =>
    new GroupCoordinator({
      ...tuning,
      offsets: new OffsetStore(services.dataDir),
      membership: new MembershipStore(services.dataDir),
      logger: services.logger,
      partitionExists: (topic, partition) => {
        const count = services.topics.partitionCount(topic);
        return count !== undefined && partition >= 0 && partition < count;
      },
    });
}

/** The broker's coordinator when it is ours; undefined makes handlers answer COORDINATOR_NOT_AVAILABLE. */
export function coordinatorOf(ctx: RequestContext): GroupCoordinator | undefined {
  return ctx.coordinator instanceof GroupCoordinator ? ctx.coordinator : undefined;
}

/**
 * Kafka reports a member's host as InetAddress.toString(): "/127.0.0.1", without the port
 * (the connection's remoteAddress is "address:port").
 */
export function clientHostOf(ctx: RequestContext): string {
  const address = ctx.connection.remoteAddress.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1');
  return `/${address.replace(/^::ffff:/, '')}`;
}
