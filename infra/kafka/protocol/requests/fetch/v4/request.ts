import type { Reader } from '../../../reader.ts';
import type { FetchPartitionRequest, FetchRequest } from '../handler.ts';

export interface FetchLayout {
  /** v7+: session_id, session_epoch after isolation_level and forgotten topics after topics */
  sessions: boolean;
  /** v5+: log_start_offset after fetch_offset */
  logStartOffset: boolean;
  /** v9+: current_leader_epoch before fetch_offset */
  currentLeaderEpoch: boolean;
  /** v11+: rack_id at the end */
  rackId: boolean;
}

export function decodeFetch(reader: Reader, layout: FetchLayout): FetchRequest {
  reader.int32(); // replica_id: -1 for consumers
  const maxWaitMs = reader.int32();
  const minBytes = reader.int32();
  const maxBytes = reader.int32();
  const isolationLevel = reader.int8();
  const sessionId = layout.sessions ? reader.int32() : 0;
  const sessionEpoch = layout.sessions ? reader.int32() : -1;
  const topics = reader.topics((partition): FetchPartitionRequest => {
    const index = partition.int32();
    if (layout.currentLeaderEpoch) partition.int32();
    const fetchOffset = partition.int64Number();
    if (layout.logStartOffset) partition.int64();
    return { index, fetchOffset, partitionMaxBytes: partition.int32() };
  });
  if (layout.sessions) reader.array((forgotten) => [forgotten.string(), forgotten.array((p) => p.int32())]);
  if (layout.rackId) reader.string();
  return { maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics };
}

/** v4: replica_id, max_wait_ms, min_bytes, max_bytes, isolation_level, topics. */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: false,
    logStartOffset: false,
    currentLeaderEpoch: false,
    rackId: false,
  });
}
