import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleDeleteRecords } from './handler.ts';

export const deleteRecordsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.DeleteRecords,
  handleDeleteRecords,
);
