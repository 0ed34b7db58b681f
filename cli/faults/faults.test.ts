/** Link names, attribute parsing and toxic validation: what `lab fault` refuses before any request. */
import { describe, expect, it } from 'vitest';
import { LabError } from '../../common/errors.ts';
import { LINKS } from '../../common/roster.ts';
import { stackLinkTargets } from '../runtime/local/fault-proxy.ts';
import { resolveLink } from './links.ts';
import { resolveFaultProxyUrl } from './proxy-url.ts';
import { formatAttributes, parseToxicRequest } from './toxics.ts';

function refusal(run: () => unknown): LabError {
  try {
    run();
  } catch (error) {
    if (error instanceof LabError) return error;
    throw error;
  }
  throw new Error('expected a LabError');
}

describe('links', () => {
  it('the stack has a db link per database service, a kafka link per non-gateway service, a gateway link per routed service', () => {
    expect(LINKS).toContain('payment.db');
    expect(LINKS).toContain('inventory.kafka');
    expect(LINKS).toContain('gateway.order');
    expect(LINKS).not.toContain('gateway.db');
    expect(LINKS).not.toContain('gateway.kafka');
    expect(LINKS).not.toContain('gateway.gateway');
    expect(LINKS).toContain('search.kafka');
    // Seven services with a database, seven talking to the broker, seven behind the gateway.
    expect(LINKS).toHaveLength(7 + 7 + 7);
  });

  it('an unknown link is bad input (exit 2) naming the closest', () => {
    expect(resolveLink('payment.db', ['payment.db'])).toBe('payment.db');
    const error = refusal(() => resolveLink('paymnet.db', ['order.db', 'payment.db']));
    expect(error.code).toBe('E_UNKNOWN_LINK');
    expect(error.exitCode).toBe(2);
    expect(error.hint).toContain("'payment.db'");
    // With no links on the proxy, the stack's links are the candidates.
    expect(refusal(() => resolveLink('gateway.ordr', [])).hint).toContain("'gateway.order'");
  });

  it('LAB_FAULT_PROXY_URL overrides the runtime', async () => {
    expect(await resolveFaultProxyUrl({ LAB_FAULT_PROXY_URL: 'http://127.0.0.1:8474/' })).toBe(
      'http://127.0.0.1:8474',
    );
  });

  it('stackLinkTargets gives a populate body with fixed listen ports', () => {
    const targets = stackLinkTargets({
      link: (link) => 20_000 + LINKS.indexOf(link),
      postgres: 5432,
      kafkaListener: (service) => (service === 'order' ? 9101 : 9100),
      service: () => 3000,
    });
    expect(targets).toHaveLength(LINKS.length);
    expect(targets.find((target) => target.name === 'payment.db')).toEqual({
      name: 'payment.db',
      listen: `127.0.0.1:${20_000 + LINKS.indexOf('payment.db')}`,
      upstream: '127.0.0.1:5432',
    });
    expect(targets.find((target) => target.name === 'order.kafka')?.upstream).toBe('127.0.0.1:9101');
  });
});

describe('toxic requests', () => {
  it('parses type, attributes (with optional units), stream, toxicity and name', () => {
    expect(parseToxicRequest({ type: 'latency', attrs: ['latency=500', 'jitter=20ms'] })).toEqual({
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 500, jitter: 20 },
    });
    expect(
      parseToxicRequest({
        type: 'slicer',
        attrs: ['average_size=10,delay=5us'],
        upstream: true,
        toxicity: '0.5',
        name: 's',
      }),
    ).toEqual({
      type: 'slicer',
      name: 's',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { average_size: 10, delay: 5 },
    });
  });

  it('refuses unknown toxics and attributes with the closest, and bad values', () => {
    const toxic = refusal(() => parseToxicRequest({ type: 'latancy' }));
    expect(toxic.code).toBe('E_UNKNOWN_TOXIC');
    expect(toxic.hint).toContain("The closest is 'latency'");
    expect(refusal(() => parseToxicRequest({ type: 'down' })).hint).toContain('lab fault down');
    const attribute = refusal(() => parseToxicRequest({ type: 'bandwidth', attrs: ['rat=5'] }));
    expect(attribute.code).toBe('E_UNKNOWN_ATTRIBUTE');
    expect(attribute.hint).toContain("The closest is 'rate'");
    expect(refusal(() => parseToxicRequest({ type: 'latency', attrs: ['latency=fast'] })).code).toBe(
      'E_BAD_ATTRIBUTE',
    );
    expect(refusal(() => parseToxicRequest({ type: 'latency', attrs: ['latency=-1'] })).code).toBe(
      'E_BAD_ATTRIBUTE',
    );
    expect(refusal(() => parseToxicRequest({ type: 'latency', attrs: ['latency'] })).code).toBe(
      'E_BAD_ATTRIBUTE',
    );
    expect(refusal(() => parseToxicRequest({ type: 'latency', toxicity: '2' })).code).toBe('E_BAD_TOXICITY');
    const missing = refusal(() => parseToxicRequest({ type: 'latency', attrs: ['jitter=10'] }));
    expect(missing.code).toBe('E_MISSING_ATTRIBUTE');
    expect(missing.message).toContain("latency needs 'latency'");
    expect(missing.hint).toContain('--attr latency=<ms>');
    expect(refusal(() => parseToxicRequest({ type: 'bandwidth' })).hint).toContain('--attr rate=<KB/s>');
    // timeout's 0 means "never close" in Toxiproxy: a meaningful default, so it is not required.
    expect(parseToxicRequest({ type: 'timeout' }).attributes).toEqual({});
  });

  it('formats attributes with their units, skipping zeros nobody set', () => {
    expect(formatAttributes('latency', { latency: 500, jitter: 0 })).toBe('latency=500ms');
    expect(formatAttributes('timeout', { timeout: 0 }, ['timeout'])).toBe('timeout=0ms');
    expect(formatAttributes('bandwidth', { rate: 100 })).toBe('rate=100 KB/s');
  });
});
