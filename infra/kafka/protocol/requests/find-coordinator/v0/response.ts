/** FindCoordinator Response (Version: 0) => error_code node_id host port */
import type { Writer } from '../../../writer.ts';
import type { FindCoordinatorResponse } from '../handler.ts';

export function encode(writer: Writer, response: FindCoordinatorResponse): void {
  writer.int16(response.errorCode).int32(response.nodeId).string(response.host).int32(response.port);
}
