import { defineToxic, pipeUnchanged } from './toxic.ts';

/**
 * noop: passes data through unchanged. Toxiproxy registers it (its tests and some clients use it
 * to check the toxic machinery itself); it has no attributes.
 */
export const noop = defineToxic({
  type: 'noop',
  goStruct: 'NoopToxic',
  description: 'pass data through unchanged',
  attributes: {},
  pipe: (stub) => pipeUnchanged(stub),
});
