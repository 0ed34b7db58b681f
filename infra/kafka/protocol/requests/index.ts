/**
 * Every API version the broker implements. Add one line per API (its array of defineApi(...)
 * entries, see ../registry.ts). The consumer-group APIs are registered here too.
 */
import { groupApiVersions } from '../../groups/apis.ts';
import { ApiRegistry, type ApiVersionHandler } from '../registry.ts';
import { addOffsetsToTxnApis } from './add-offsets-to-txn/index.ts';
import { addPartitionsToTxnApis } from './add-partitions-to-txn/index.ts';
import { alterConfigsApis } from './alter-configs/index.ts';
import { apiVersionsApis } from './api-versions/index.ts';
import { createPartitionsApis } from './create-partitions/index.ts';
import { createTopicsApis } from './create-topics/index.ts';
import { deleteRecordsApis } from './delete-records/index.ts';
import { deleteTopicsApis } from './delete-topics/index.ts';
import { describeConfigsApis } from './describe-configs/index.ts';
import { endTxnApis } from './end-txn/index.ts';
import { fetchApis } from './fetch/index.ts';
import { initProducerIdApis } from './init-producer-id/index.ts';
import { listOffsetsApis } from './list-offsets/index.ts';
import { metadataApis } from './metadata/index.ts';
import { produceApis } from './produce/index.ts';
import { txnOffsetCommitApis } from './txn-offset-commit/index.ts';

export const allApiVersions: readonly ApiVersionHandler[] = [
  // core APIs (broker helper) are added here
  ...produceApis,
  ...fetchApis,
  ...listOffsetsApis,
  ...metadataApis,
  ...createTopicsApis,
  ...deleteTopicsApis,
  ...createPartitionsApis,
  ...deleteRecordsApis,
  ...describeConfigsApis,
  ...alterConfigsApis,
  ...initProducerIdApis,
  ...addPartitionsToTxnApis,
  ...addOffsetsToTxnApis,
  ...endTxnApis,
  ...txnOffsetCommitApis,
  // group APIs (group helper) are added here
  ...groupApiVersions,
];

/** A registry of every API above plus ApiVersions, which answers from this same registry. */
export function createDefaultRegistry(): ApiRegistry {
  const registry = new ApiRegistry(allApiVersions);
  for (const handler of apiVersionsApis(() => registry)) registry.register(handler);
  return registry;
}
