import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleAddPartitionsToTxn } from './handler.ts';

export const addPartitionsToTxnApis = await versionsIn(
  import.meta.dirname,
  ApiKey.AddPartitionsToTxn,
  handleAddPartitionsToTxn,
);
