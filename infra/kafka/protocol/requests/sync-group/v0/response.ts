/** SyncGroup Response (Version: 0) => error_code assignment */
import type { SyncGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';

export function encode(writer: Writer, response: SyncGroupResult): void {
  writer.int16(response.errorCode).bytes(response.assignment);
}
