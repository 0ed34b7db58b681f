import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleListGroups } from './handler.ts';

export const listGroupsApis = await versionsIn(import.meta.dirname, ApiKey.ListGroups, handleListGroups);
