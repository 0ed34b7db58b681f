/** The local runtime's fault-proxy entry: links populated with fixed ports, repeatably. */
import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../infra/fault-proxy/server.ts';
import type { StackContext } from '../runtime/local/stack.ts';
import { SERVICES } from '../runtime/types.ts';
import { FaultClient } from './client.ts';
import { STACK_LINKS } from './links.ts';
import { FAULT_PROXY, faultProxyComponent, kafkaLinkListenerArgs } from './stack-component.ts';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let faultProxy: FaultProxy;
let ctx: StackContext;

beforeAll(async () => {
  faultProxy = await startFaultProxy({ port: 0 });
  const ports = new Map<string, number>([[`${FAULT_PROXY}/`, faultProxy.port]]);
  for (const link of STACK_LINKS) ports.set(`${FAULT_PROXY}/${link}`, await freePort());
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
    has: () => true,
  } as unknown as StackContext;
});

afterAll(async () => {
  await faultProxy.close();
});

describe('faultProxyComponent', () => {
  it('populates every link of the stack with its fixed port, and again without replacing anything', async () => {
    const component = faultProxyComponent();
    expect(component.ports).toEqual(['main', ...STACK_LINKS]);
    expect(component.endpoints?.(ctx)).toEqual({ faultProxyUrl: faultProxy.url });
    await component.afterHealthy?.(ctx);
    const client = new FaultClient(faultProxy.url);
    const links = await client.links();
    expect(links.map((link) => link.name).sort()).toEqual([...STACK_LINKS].sort());
    const payment = links.find((link) => link.name === 'payment.db');
    expect(payment).toMatchObject({
      listen: `127.0.0.1:${ctx.port(FAULT_PROXY, 'payment.db')}`,
      upstream: '127.0.0.1:5432',
    });
    expect(links.find((link) => link.name === 'gateway.order')?.upstream).toBe(
      `127.0.0.1:${ctx.port('order')}`,
    );

    await client.addToxic('payment.db', {
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 1 },
    });
    await component.afterHealthy?.(ctx);
    expect((await client.link('payment.db')).toxics).toHaveLength(1);
  });

  it('the broker gets one listener per kafka link, advertising the link', () => {
    const args = kafkaLinkListenerArgs(ctx);
    expect(args).toContain(
      `127.0.0.1:${ctx.port('kafka', 'order.kafka')}=127.0.0.1:${ctx.port(FAULT_PROXY, 'order.kafka')}`,
    );
    expect(args.filter((arg) => arg === '--listener')).toHaveLength(6);
  });
});
