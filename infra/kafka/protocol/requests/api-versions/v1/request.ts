import type { Reader } from '../../../reader.ts';
import type { ApiVersionsRequest } from '../handler.ts';

export function decode(_reader: Reader): ApiVersionsRequest {
  return {};
}
