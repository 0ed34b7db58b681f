import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleJoinGroup } from './handler.ts';

export const joinGroupApis = await versionsIn(import.meta.dirname, ApiKey.JoinGroup, handleJoinGroup);
