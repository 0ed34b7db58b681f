import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleCreatePartitions } from './handler.ts';

export const createPartitionsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.CreatePartitions,
  handleCreatePartitions,
);
