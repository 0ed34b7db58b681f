/** The local runtime's fault-proxy entry: a links file from the allocated ports, loaded at start. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_PROXY, KAFKA_SERVICES, LINKS, SERVICES } from '../../../common/roster.ts';
import { startFaultProxy } from '../../../infra/fault-proxy/server.ts';
import { FaultClient } from '../../faults/client.ts';
import type { StackContext } from './component.ts';
import { faultProxyComponent, kafkaLinkListenerArgs, linksConfigFile } from './fault-proxy.ts';
import { allocatePorts } from './ports.ts';
import { STACK } from './stack.ts';

let root: string;
let ctx: StackContext;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'lab-fault-stack-'));
  // The runtime's own allocator: ports below the ephemeral range, which no outgoing connection takes.
  const [main, ...linkPorts] = await allocatePorts(1 + LINKS.length);
  const ports = new Map<string, number>([[`${FAULT_PROXY}/`, main!]]);
  for (const [index, link] of LINKS.entries()) ports.set(`${FAULT_PROXY}/${link}`, linkPorts[index]!);
  ports.set('postgres/', 5432);
  SERVICES.forEach((service, index) => {
    ports.set(`${service}/`, 3000 + index);
    ports.set(`kafka/${service}.kafka`, 9100 + index);
  });
  ctx = {
    port: (component: string, name?: string) => {
      const port = ports.get(`${component}/${name ?? ''}`);
      if (port === undefined) throw new Error(`no port ${component}/${name}`);
      return port;
    },
    has: (component: string) => component !== 'shipping',
    dataDir: () => root,
  } as unknown as StackContext;
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('faultProxyComponent', () => {
  it('is in the local stack, first with postgres', () => {
    expect(STACK.find((component) => component.name === FAULT_PROXY)?.order).toBe(0);
  });

  it('starts the fault proxy with the links file, so its links listen before the API answers', async () => {
    const component = faultProxyComponent({ seed: 3 });
    expect(component.ports).toEqual(['main', ...LINKS]);
    expect(component.endpoints?.(ctx)).toEqual({
      faultProxyUrl: `http://127.0.0.1:${ctx.port(FAULT_PROXY)}`,
    });
    const launch = component.launch(ctx);
    expect(launch.args.slice(-8)).toEqual([
      'infra',
      'fault-proxy',
      '--port',
      String(ctx.port(FAULT_PROXY)),
      '--config',
      linksConfigFile(ctx),
      '--seed',
      '3',
    ]);

    await component.prepare?.(ctx);
    const links = JSON.parse(readFileSync(linksConfigFile(ctx), 'utf8')) as { name: string }[];
    // gateway.shipping is left out: this stack has no shipping yet.
    expect(links.map((link) => link.name).sort()).toEqual(
      LINKS.filter((link) => link !== 'gateway.shipping').sort(),
    );

    const faultProxy = await startFaultProxy({ port: 0, populate: links });
    try {
      const client = new FaultClient(faultProxy.url);
      const payment = await client.link('payment.db');
      expect(payment).toMatchObject({
        listen: `127.0.0.1:${ctx.port(FAULT_PROXY, 'payment.db')}`,
        upstream: '127.0.0.1:5432',
        enabled: true,
      });
      expect((await client.link('gateway.order')).upstream).toBe(`127.0.0.1:${ctx.port('order')}`);
      // Populating the same file again keeps toxics (and connections).
      await client.addToxic('payment.db', {
        type: 'latency',
        stream: 'downstream',
        toxicity: 1,
        attributes: {},
      });
      await client.populate(links as never);
      expect((await client.link('payment.db')).toxics).toHaveLength(1);
    } finally {
      await faultProxy.close();
    }
  });

  it('the broker gets one listener per kafka link, advertising the link', () => {
    const args = kafkaLinkListenerArgs(ctx);
    expect(args).toContain(
      `127.0.0.1:${ctx.port('kafka', 'order.kafka')}=127.0.0.1:${ctx.port(FAULT_PROXY, 'order.kafka')}`,
    );
    expect(args.filter((arg) => arg === '--listener')).toHaveLength(KAFKA_SERVICES.length);
  });
});
