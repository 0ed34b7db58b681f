import { describe, expect, it } from 'vitest';
import { parseListenerSpec } from './listener-spec.ts';

describe('--listener host:port[=advertised-host:port]', () => {
  it('parses a bare listener and one with an advertised address', () => {
    expect(parseListenerSpec('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseListenerSpec('127.0.0.1:9193=127.0.0.1:21001')).toEqual({
      host: '127.0.0.1',
      port: 9193,
      advertisedHost: '127.0.0.1',
      advertisedPort: 21001,
    });
    expect(parseListenerSpec('[::1]:9092=proxy.local:1')).toMatchObject({
      host: '::1',
      advertisedHost: 'proxy.local',
    });
  });

  it('refuses anything else', () => {
    for (const bad of ['nonsense', '127.0.0.1', '127.0.0.1:99999', 'a:1=b', 'a:1=b:2=c:3']) {
      expect(() => parseListenerSpec(bad), bad).toThrow();
    }
  });
});
