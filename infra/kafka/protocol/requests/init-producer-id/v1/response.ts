import type { Writer } from '../../../writer.ts';
import type { InitProducerIdResponse } from '../handler.ts';

/** v1 has the same shape as v0. */
export function encode(writer: Writer, response: InitProducerIdResponse): void {
  writer
    .int32(response.throttleTimeMs)
    .int16(response.errorCode)
    .int64(response.producerId)
    .int16(response.producerEpoch);
}
