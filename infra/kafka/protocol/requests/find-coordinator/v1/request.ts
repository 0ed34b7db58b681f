/** FindCoordinator Request (Version: 1) => key key_type */
import type { Reader } from '../../../reader.ts';
import type { FindCoordinatorRequest } from '../handler.ts';

export function decode(reader: Reader): FindCoordinatorRequest {
  return { key: reader.string(), keyType: reader.int8() };
}
