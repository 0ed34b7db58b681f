import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleEndTxn } from './handler.ts';

export const endTxnApis = await versionsIn(import.meta.dirname, ApiKey.EndTxn, handleEndTxn);
