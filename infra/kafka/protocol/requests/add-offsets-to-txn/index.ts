import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleAddOffsetsToTxn } from './handler.ts';

export const addOffsetsToTxnApis = await versionsIn(
  import.meta.dirname,
  ApiKey.AddOffsetsToTxn,
  handleAddOffsetsToTxn,
);
