import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleDeleteTopics } from './handler.ts';

export const deleteTopicsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.DeleteTopics,
  handleDeleteTopics,
);
