import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleOffsetFetch } from './handler.ts';

export const offsetFetchApis = await versionsIn(import.meta.dirname, ApiKey.OffsetFetch, handleOffsetFetch);
