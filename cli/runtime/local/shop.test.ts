/** The services' tracing settings in the local stack: the stack's span receiver, or the user's own. */
import { describe, expect, it } from 'vitest';
import { OTEL_COLLECTOR } from '../../../common/roster.ts';
import type { StackContext } from './component.ts';
import { tracingEnv } from './shop.ts';

const stack = (hasCollector: boolean) =>
  ({
    port: (component: string) => (component === OTEL_COLLECTOR ? 4999 : 0),
    has: (component: string) => hasCollector || component !== OTEL_COLLECTOR,
  }) as unknown as StackContext;

describe('tracingEnv', () => {
  it("points every service at the stack's span receiver", () => {
    expect(tracingEnv(stack(true), { PATH: '/bin', LAB_HOME: '/tmp/x' })).toEqual({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
      OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/json',
    });
    expect(tracingEnv(stack(false), {})).toEqual({});
  });

  it("a user's own collector wins, and their OTEL_* settings and LAB_TRACING reach the services", () => {
    const own = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example:4318',
      OTEL_TRACES_SAMPLER: 'always_off',
    };
    expect(tracingEnv(stack(true), own)).toEqual(own);
    expect(tracingEnv(stack(true), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/v1/traces' })).toEqual({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:1/v1/traces',
    });
    expect(
      tracingEnv(stack(true), { LAB_TRACING: 'off', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }),
    ).toEqual({
      LAB_TRACING: 'off',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4999',
    });
  });
});
