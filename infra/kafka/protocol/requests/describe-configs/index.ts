import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleDescribeConfigs } from './handler.ts';

export const describeConfigsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.DescribeConfigs,
  handleDescribeConfigs,
);
