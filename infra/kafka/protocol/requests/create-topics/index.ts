import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleCreateTopics } from './handler.ts';

export const createTopicsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.CreateTopics,
  handleCreateTopics,
);
