/** FindCoordinator Response (Version: 1) => throttle_time_ms error_code error_message node_id host port */
import type { Writer } from '../../../writer.ts';
import type { FindCoordinatorResponse } from '../handler.ts';

export function encode(writer: Writer, response: FindCoordinatorResponse): void {
  writer
    .int32(0)
    .int16(response.errorCode)
    .nullableString(response.errorMessage)
    .int32(response.nodeId)
    .string(response.host)
    .int32(response.port);
}
