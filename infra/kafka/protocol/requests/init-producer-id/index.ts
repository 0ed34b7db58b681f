import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleInitProducerId } from './handler.ts';

export const initProducerIdApis = await versionsIn(
  import.meta.dirname,
  ApiKey.InitProducerId,
  handleInitProducerId,
);
