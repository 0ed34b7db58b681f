import { ApiKey } from '../../api-keys.ts';
import { versionsIn } from '../../registry.ts';
import { handleAlterConfigs } from './handler.ts';

export const alterConfigsApis = await versionsIn(
  import.meta.dirname,
  ApiKey.AlterConfigs,
  handleAlterConfigs,
);
