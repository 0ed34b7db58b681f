import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleFindCoordinator } from './handler.ts';

export const findCoordinatorApis = await versionsIn(
  import.meta.dirname,
  ApiKey.FindCoordinator,
  handleFindCoordinator,
);
