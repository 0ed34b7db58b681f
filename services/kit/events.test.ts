import { describe, expect, it } from 'vitest';
import { childTraceparent } from './events.ts';

describe('trace context', () => {
  it('a child keeps the trace id and gets a new span id, distinct across refills of the random block', () => {
    const parent = childTraceparent(undefined);
    expect(parent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const traceId = parent.split('-')[1];
    // 4 KiB of random bytes serve 512 span ids: 2000 children cross several refills.
    const spans = Array.from({ length: 2000 }, () => childTraceparent(parent));
    expect(spans.every((child) => child.split('-')[1] === traceId)).toBe(true);
    expect(new Set(spans.map((child) => child.split('-')[2])).size).toBe(2000);
    expect(childTraceparent('not a traceparent').split('-')[1]).not.toBe(traceId);
  });
});
