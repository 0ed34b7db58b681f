import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleLeaveGroup } from './handler.ts';

export const leaveGroupApis = await versionsIn(import.meta.dirname, ApiKey.LeaveGroup, handleLeaveGroup);
