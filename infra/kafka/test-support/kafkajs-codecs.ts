/**
 * One API version against kafkajs's own codecs: kafkajs encodes the request, our decoder (which
 * must consume it exactly), handler and encoder answer, kafkajs decodes the response.
 */
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { RequestContext } from '../protocol/context.ts';
import { Reader } from '../protocol/reader.ts';
import { type ApiVersionHandler, NO_RESPONSE } from '../protocol/registry.ts';
import { Writer } from '../protocol/writer.ts';

const require = createRequire(import.meta.url);

interface KafkajsProtocol {
  request: { apiKey: number; apiVersion: number; encode(): Promise<{ buffer: Buffer }> };
  response: { decode(data: Buffer): Promise<Record<string, unknown>> };
}
type KafkajsApi = { protocol(o: { version: number }): (args: object) => KafkajsProtocol };

/** kafkajs's request `name` (its folder under kafkajs/src/protocol/requests) → our side → kafkajs. */
export async function throughKafkajs(
  name: string,
  version: number,
  args: object,
  broker: {
    handler(apiKey: number, apiVersion: number): ApiVersionHandler | undefined;
    context(apiKey: number, apiVersion: number): RequestContext;
  },
): Promise<Record<string, unknown>> {
  const api = require(`kafkajs/src/protocol/requests/${name}/index.js`) as KafkajsApi;
  const { request, response } = api.protocol({ version })(args);
  const handler = broker.handler(request.apiKey, request.apiVersion);
  if (handler === undefined) throw new Error(`${name} v${version} is not registered`);
  const ctx = broker.context(request.apiKey, request.apiVersion);
  const reader = new Reader((await request.encode()).buffer);
  const decoded = handler.decode(reader, ctx.header);
  expect(reader.remaining).toBe(0);
  const answer = await handler.handle(decoded, ctx);
  if (answer === NO_RESPONSE) throw new Error('no response');
  // roomy enough that the test exercises our codecs, not the writer's growth
  const writer = new Writer(1 << 16);
  handler.encode(writer, answer, ctx.header);
  return response.decode(writer.toBuffer());
}
