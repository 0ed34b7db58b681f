import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleMetadata } from './handler.ts';

export const metadataApis = await versionsIn(import.meta.dirname, ApiKey.Metadata, handleMetadata);
