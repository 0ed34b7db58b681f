import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleSyncGroup } from './handler.ts';

export const syncGroupApis = await versionsIn(import.meta.dirname, ApiKey.SyncGroup, handleSyncGroup);
