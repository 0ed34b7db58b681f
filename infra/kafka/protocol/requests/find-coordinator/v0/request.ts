/** FindCoordinator Request (Version: 0) => key (the group id; groups only) */
import type { Reader } from '../../../reader.ts';
import { type FindCoordinatorRequest, KeyType } from '../handler.ts';

export function decode(reader: Reader): FindCoordinatorRequest {
  return { key: reader.string(), keyType: KeyType.group };
}
