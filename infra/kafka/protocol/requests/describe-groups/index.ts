import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleDescribeGroups } from './handler.ts';

export const describeGroupsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.DescribeGroups,
  handleDescribeGroups,
);
