/**
 * Request and response headers.
 *
 * Request header v1 (non-flexible API versions): api_key int16, api_version int16,
 * correlation_id int32, client_id nullable string. v2 (flexible versions) adds tagged fields;
 * its client_id is still a classic (non-compact) nullable string. v0 (no client_id) is only used
 * by ControlledShutdown v0, which a single-node broker never receives.
 *
 * Response header v0 is the correlation id; v1 (flexible versions) adds tagged fields, except
 * for ApiVersions, whose response header is always v0 so a client can parse it before it knows
 * which versions the broker speaks.
 */
import { ApiKey, isFlexible } from './api-keys.ts';
import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** true when the header (and the body) use the flexible encoding */
  flexible: boolean;
}

export function readRequestHeader(reader: Reader): RequestHeader {
  const apiKey = reader.int16();
  const apiVersion = reader.int16();
  const correlationId = reader.int32();
  const clientId = reader.nullableString();
  const flexible = isFlexible(apiKey, apiVersion);
  if (flexible) reader.taggedFields();
  return { apiKey, apiVersion, correlationId, clientId, flexible };
}

/** Whether the response to this request carries response header v1 (tagged fields). */
export function responseHeaderIsFlexible(header: RequestHeader): boolean {
  return header.flexible && header.apiKey !== ApiKey.ApiVersions;
}

export function writeResponseHeader(writer: Writer, header: RequestHeader): void {
  writer.int32(header.correlationId);
  if (responseHeaderIsFlexible(header)) writer.taggedFields();
}
