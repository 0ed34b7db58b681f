/**
 * What a request handler gets besides its decoded request: the broker's state, the group
 * coordinator, the listener the connection came in on and the connection itself.
 *
 * Handlers that only validate names use `topics` (an interface); `broker` gives the core APIs
 * the concrete state (topic logs, producer ids, config).
 */
import type { Logger } from 'pino';
import type { BrokerCore } from '../broker-core.ts';
import type { RequestHeader } from './header.ts';

/** One listen address and the address the broker tells clients of that listener to use. */
export interface ListenerInfo {
  /** "default" for --host/--port, else the listener's bind address as given */
  name: string;
  /** bound address (the actual port when 0 was asked for) */
  host: string;
  port: number;
  /** what Metadata/FindCoordinator advertise to clients connected through this listener */
  advertisedHost: string;
  advertisedPort: number;
}

export interface ConnectionInfo {
  id: number;
  remoteAddress: string;
  clientId: string | null;
}

/** Read-only view of the topics, for handlers that only need to validate names/partitions. */
export interface TopicsView {
  names(): string[];
  /** undefined when the topic does not exist */
  partitionCount(topic: string): number | undefined;
}

/**
 * The group coordinator plugged into the broker (implemented under infra/kafka/groups/).
 * The broker only needs to be able to stop it; group handlers narrow it to their own type.
 */
export interface GroupCoordinatorHandle {
  close(): Promise<void> | void;
  /** stores the offsets of a committed transaction (absent: such offsets are dropped) */
  commitTransactionalOffsets?(
    groupId: string,
    offsets: { topic: string; partition: number; offset: number; metadata: string }[],
  ): void;
}

/** What the broker hands the coordinator factory when it starts. */
export interface CoordinatorServices {
  /** a folder of its own under the broker's data dir, for durable committed offsets */
  dataDir: string;
  nodeId: number;
  logger: Logger;
  topics: TopicsView;
}

export type GroupCoordinatorFactory = (
  services: CoordinatorServices,
) => GroupCoordinatorHandle | Promise<GroupCoordinatorHandle>;

export interface RequestContext {
  header: RequestHeader;
  listener: ListenerInfo;
  connection: ConnectionInfo;
  logger: Logger;
  nodeId: number;
  clusterId: string;
  topics: TopicsView;
  coordinator: GroupCoordinatorHandle | undefined;
  /** the broker behind this connection: topic logs, producer ids, config (see broker-core.ts) */
  broker: BrokerCore;
  /** aborted when the connection closes (a long-polling Fetch stops waiting) */
  signal: AbortSignal;
}
