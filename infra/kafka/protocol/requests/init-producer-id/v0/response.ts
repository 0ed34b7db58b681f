import type { Writer } from '../../../writer.ts';
import type { InitProducerIdResponse } from '../handler.ts';

/** v0: throttle_time_ms, error_code, producer_id, producer_epoch. */
export function encode(writer: Writer, response: InitProducerIdResponse): void {
  writer
    .int32(response.throttleTimeMs)
    .int16(response.errorCode)
    .int64(response.producerId)
    .int16(response.producerEpoch);
}
