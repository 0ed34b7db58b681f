import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleHeartbeat } from './handler.ts';

export const heartbeatApis = await versionsIn(import.meta.dirname, ApiKey.Heartbeat, handleHeartbeat);
