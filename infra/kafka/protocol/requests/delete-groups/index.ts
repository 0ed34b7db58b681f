import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleDeleteGroups } from './handler.ts';

export const deleteGroupsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.DeleteGroups,
  handleDeleteGroups,
);
