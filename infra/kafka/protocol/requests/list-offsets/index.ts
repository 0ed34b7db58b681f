import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleListOffsets } from './handler.ts';

export const listOffsetsApis = await versionsIn(import.meta.dirname, ApiKey.ListOffsets, handleListOffsets);
