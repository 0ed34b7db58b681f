import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleFetch } from './handler.ts';

export const fetchApis = await versionsIn(import.meta.dirname, ApiKey.Fetch, handleFetch);
