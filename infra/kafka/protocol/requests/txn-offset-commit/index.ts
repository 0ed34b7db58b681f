import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleTxnOffsetCommit } from './handler.ts';

export const txnOffsetCommitApis = await versionsIn(
  import.meta.dirname,
  ApiKey.TxnOffsetCommit,
  handleTxnOffsetCommit,
);
