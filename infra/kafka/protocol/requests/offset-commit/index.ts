import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleOffsetCommit } from './handler.ts';

export const offsetCommitApis = await versionsIn(
  import.meta.dirname,
  ApiKey.OffsetCommit,
  handleOffsetCommit,
);
