import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleProduce } from './handler.ts';

export const produceApis = await versionsIn(import.meta.dirname, ApiKey.Produce, handleProduce);
