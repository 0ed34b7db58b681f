import type { Writer } from '../../../writer.ts';
import type { ApiVersionsResponse } from '../handler.ts';

export function encode(writer: Writer, response: ApiVersionsResponse): void {
  writer.int16(response.errorCode);
  writer.array(response.apiKeys, (w, range) => {
    w.int16(range.apiKey).int16(range.minVersion).int16(range.maxVersion);
  });
}
