/**
 * The API answers as Toxiproxy 2.x: driven with raw HTTP (every route and status code) and with
 * toxiproxy-node-client, the client the lab's own fault code uses.
 */
import net from 'node:net';
import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { describe, expect, it } from 'vitest';
import { withFaultProxy } from './proxy-fixture.ts';
import type { FaultProxy } from './server.ts';
import { api, portOf, RecordingClient, type Upstream } from './test-support.ts';

let faultProxy: FaultProxy;
let upstream: Upstream;
let url: string;

withFaultProxy({ seed: 1 }, (env) => {
  ({ faultProxy, echo: upstream } = env);
  url = faultProxy.url;
});

const proxyBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  listen: '127.0.0.1:0',
  upstream: upstream.address,
  ...extra,
});

describe('proxies over raw HTTP', () => {
  it('GET /version answers Toxiproxy-style JSON', async () => {
    const response = await api(url, 'GET', '/version');
    expect(response.status).toBe(200);
    expect(response.text).toBe('{"version": "2.12.0"}\n');
  });

  it('POST /proxies creates (201), reports the bound listen address, and proxies traffic', async () => {
    const response = await api(url, 'POST', '/proxies', proxyBody('echo'));
    expect(response.status).toBe(201);
    expect(response.contentType).toBe('application/json');
    const proxy = response.json() as { listen: string };
    expect(Object.keys(proxy)).toEqual(['name', 'listen', 'upstream', 'enabled', 'toxics']);
    expect(proxy).toMatchObject({ name: 'echo', upstream: upstream.address, enabled: true, toxics: [] });
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(portOf(proxy.listen)).toBeGreaterThan(0);
    const client = new RecordingClient(portOf(proxy.listen));
    await client.connected;
    await client.roundTrip('ping');
    expect(client.received.toString()).toBe('ping');
    client.socket.destroy();
  });

  it('POST /proxies with "localhost:0" listens on 127.0.0.1; enabled=false creates without listening', async () => {
    const local = (await api(url, 'POST', '/proxies', proxyBody('local', { listen: 'localhost:0' }))).json();
    expect((local as { listen: string }).listen).toMatch(/^127\.0\.0\.1:\d+$/);
    const off = await api(url, 'POST', '/proxies', proxyBody('off', { enabled: false }));
    expect(off.status).toBe(201);
    expect(off.json()).toMatchObject({ listen: '127.0.0.1:0', enabled: false });
  });

  it('POST /proxies errors: 409 duplicate, 400 missing name/upstream or bad body, 500 on bind failure', async () => {
    await api(url, 'POST', '/proxies', proxyBody('dup'));
    const duplicate = await api(url, 'POST', '/proxies', proxyBody('dup'));
    expect(duplicate.status).toBe(409);
    expect(duplicate.text).toBe('{"error":"proxy already exists","status":409}\n');

    const noName = await api(url, 'POST', '/proxies', { upstream: upstream.address });
    expect(noName.status).toBe(400);
    expect(noName.json()).toEqual({ error: 'missing required field: name', status: 400 });
    const noUpstream = await api(url, 'POST', '/proxies', { name: 'x' });
    expect(noUpstream.json()).toEqual({ error: 'missing required field: upstream', status: 400 });
    const badJson = await api(url, 'POST', '/proxies', '{"name": ');
    expect(badJson.status).toBe(400);
    expect((badJson.json() as { error: string }).error).toMatch(/^bad request body: /);
    const badType = await api(url, 'POST', '/proxies', { name: 1, upstream: upstream.address });
    expect(badType.status).toBe(400);
    expect((badType.json() as { error: string }).error).toContain(
      'cannot unmarshal number 1 into Go struct field',
    );

    const taken = await new Promise<net.Server>((resolve) => {
      const server = net.createServer().listen(0, '127.0.0.1', () => resolve(server));
    });
    const takenPort = (taken.address() as net.AddressInfo).port;
    const bind = await api(url, 'POST', '/proxies', proxyBody('bind', { listen: `127.0.0.1:${takenPort}` }));
    expect(bind.status).toBe(500);
    expect(bind.json()).toEqual({
      error: `listen tcp 127.0.0.1:${takenPort}: bind: address already in use`,
      status: 500,
    });
    expect((await api(url, 'GET', '/proxies/bind')).status).toBe(404);
    taken.close();
  });

  it('GET /proxies lists every proxy by name with its toxics; GET /proxies/{name} shows one or 404s', async () => {
    await api(url, 'POST', '/proxies', proxyBody('b'));
    await api(url, 'POST', '/proxies', proxyBody('a'));
    await api(url, 'POST', '/proxies/a/toxics', { type: 'latency', attributes: { latency: 5 } });
    const all = (await api(url, 'GET', '/proxies')).json() as Record<string, { toxics: unknown[] }>;
    expect(Object.keys(all)).toEqual(['a', 'b']);
    expect(all.a?.toxics).toHaveLength(1);
    const one = await api(url, 'GET', '/proxies/a');
    expect(one.status).toBe(200);
    expect(one.json()).toMatchObject({ name: 'a', enabled: true });
    const missing = await api(url, 'GET', '/proxies/nope');
    expect(missing.status).toBe(404);
    expect(missing.text).toBe('{"error":"proxy not found","status":404}\n');
  });

  it('POST and PATCH /proxies/{name} merge fields; enabled=false closes the listener and connections', async () => {
    const created = (await api(url, 'POST', '/proxies', proxyBody('toggle'))).json() as { listen: string };
    const client = new RecordingClient(portOf(created.listen));
    await client.connected;
    await client.roundTrip('x');

    const disabled = await api(url, 'PATCH', '/proxies/toggle', { enabled: false });
    expect(disabled.status).toBe(200);
    expect(disabled.json()).toMatchObject({
      listen: created.listen,
      upstream: upstream.address,
      enabled: false,
    });
    await client.closed;
    const refused = new RecordingClient(portOf(created.listen));
    await expect(refused.connected).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const enabled = await api(url, 'POST', '/proxies/toggle', { enabled: true });
    expect(enabled.json()).toMatchObject({ listen: created.listen, enabled: true });
    const again = new RecordingClient(portOf(created.listen));
    await again.connected;
    await again.roundTrip('y');
    again.socket.destroy();

    expect((await api(url, 'PATCH', '/proxies/nope', { enabled: false })).status).toBe(404);
    expect((await api(url, 'PATCH', '/proxies/toggle', '{')).status).toBe(400);
  });

  it('changing upstream or listen restarts the proxy on the new address', async () => {
    const created = (await api(url, 'POST', '/proxies', proxyBody('move'))).json() as { listen: string };
    const client = new RecordingClient(portOf(created.listen));
    await client.connected;
    const moved = await api(url, 'PATCH', '/proxies/move', { listen: '127.0.0.1:0' });
    expect(moved.status).toBe(200);
    const listen = (moved.json() as { listen: string }).listen;
    expect(listen).not.toBe(created.listen);
    await client.closed;
    const next = new RecordingClient(portOf(listen));
    await next.connected;
    await next.roundTrip('moved');
    next.socket.destroy();
  });

  it('DELETE /proxies/{name} answers 204, then 404', async () => {
    await api(url, 'POST', '/proxies', proxyBody('gone'));
    const deleted = await api(url, 'DELETE', '/proxies/gone');
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expect((await api(url, 'DELETE', '/proxies/gone')).status).toBe(404);
  });

  it('unknown routes 404, wrong methods 405, browsers 403', async () => {
    const unknown = await api(url, 'GET', '/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('404 page not found\n');
    expect((await api(url, 'PUT', '/proxies')).status).toBe(405);
    expect((await api(url, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0' })).status).toBe(403);
  });
});

describe('toxics over raw HTTP', () => {
  it('POST /proxies/{name}/toxics answers 200 with Toxiproxy defaults', async () => {
    await api(url, 'POST', '/proxies', proxyBody('t'));
    const created = await api(url, 'POST', '/proxies/t/toxics', {
      type: 'latency',
      attributes: { latency: 100 },
    });
    expect(created.status).toBe(200);
    expect(created.text).toBe(
      '{"attributes":{"latency":100,"jitter":0},"name":"latency_downstream","type":"latency","stream":"downstream","toxicity":1}',
    );
    const upstreamToxic = await api(url, 'POST', '/proxies/t/toxics', {
      type: 'slicer',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { average_size: 10, unknown: 'ignored' },
    });
    expect(upstreamToxic.json()).toEqual({
      attributes: { average_size: 10, size_variation: 0, delay: 0 },
      name: 'slicer_upstream',
      type: 'slicer',
      stream: 'upstream',
      toxicity: 0.5,
    });
    const named = await api(url, 'POST', '/proxies/t/toxics', { type: 'timeout', name: 'hold' });
    expect(named.json()).toMatchObject({ name: 'hold', attributes: { timeout: 0 } });

    // Listed upstream first, then downstream, each in the order added.
    const list = (await api(url, 'GET', '/proxies/t/toxics')).json() as { name: string }[];
    expect(list.map((toxic) => toxic.name)).toEqual(['slicer_upstream', 'latency_downstream', 'hold']);
  });

  it('toxic errors: 409 duplicate, 400 invalid type/stream/attribute, 404 missing proxy or toxic', async () => {
    await api(url, 'POST', '/proxies', proxyBody('e'));
    await api(url, 'POST', '/proxies/e/toxics', { type: 'latency' });
    const duplicate = await api(url, 'POST', '/proxies/e/toxics', { type: 'latency' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json()).toEqual({ error: 'toxic already exists', status: 409 });
    const invalidType = await api(url, 'POST', '/proxies/e/toxics', { type: 'latenzy' });
    expect(invalidType.status).toBe(400);
    expect(invalidType.json()).toEqual({ error: 'invalid toxic type', status: 400 });
    const invalidStream = await api(url, 'POST', '/proxies/e/toxics', {
      type: 'latency',
      stream: 'sideways',
    });
    expect(invalidStream.json()).toEqual({
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    });
    const badAttribute = await api(url, 'POST', '/proxies/e/toxics', {
      type: 'bandwidth',
      attributes: { rate: 'fast' },
    });
    expect(badAttribute.status).toBe(400);
    expect((badAttribute.json() as { error: string }).error).toBe(
      'bad request body: json: cannot unmarshal string into Go struct field BandwidthToxic.attributes.rate of type int64',
    );
    expect((await api(url, 'POST', '/proxies/none/toxics', { type: 'latency' })).status).toBe(404);
    expect((await api(url, 'GET', '/proxies/none/toxics')).status).toBe(404);
    const missingToxic = await api(url, 'GET', '/proxies/e/toxics/none');
    expect(missingToxic.status).toBe(404);
    expect(missingToxic.json()).toEqual({ error: 'toxic not found', status: 404 });
    expect((await api(url, 'PATCH', '/proxies/e/toxics/none', {})).status).toBe(404);
    expect((await api(url, 'DELETE', '/proxies/e/toxics/none')).status).toBe(404);
  });

  it('GET, POST/PATCH (attribute merge) and DELETE /proxies/{name}/toxics/{toxic}', async () => {
    await api(url, 'POST', '/proxies', proxyBody('u'));
    await api(url, 'POST', '/proxies/u/toxics', { type: 'latency', attributes: { latency: 100, jitter: 5 } });
    const shown = await api(url, 'GET', '/proxies/u/toxics/latency_downstream');
    expect(shown.status).toBe(200);
    expect(shown.json()).toMatchObject({ attributes: { latency: 100, jitter: 5 } });
    const patched = await api(url, 'PATCH', '/proxies/u/toxics/latency_downstream', {
      attributes: { jitter: 10 },
    });
    expect(patched.status).toBe(200);
    expect(patched.json()).toMatchObject({ attributes: { latency: 100, jitter: 10 }, toxicity: 1 });
    const posted = await api(url, 'POST', '/proxies/u/toxics/latency_downstream', { toxicity: 0.25 });
    expect(posted.json()).toMatchObject({ attributes: { latency: 100, jitter: 10 }, toxicity: 0.25 });
    const deleted = await api(url, 'DELETE', '/proxies/u/toxics/latency_downstream');
    expect(deleted.status).toBe(204);
    expect((await api(url, 'GET', '/proxies/u/toxics')).json()).toEqual([]);
  });

  it('POST /reset enables every proxy and removes every toxic (204)', async () => {
    await api(url, 'POST', '/proxies', proxyBody('r1'));
    await api(url, 'POST', '/proxies', proxyBody('r2', { enabled: false }));
    await api(url, 'POST', '/proxies/r1/toxics', { type: 'latency' });
    const reset = await api(url, 'POST', '/reset');
    expect(reset.status).toBe(204);
    const all = (await api(url, 'GET', '/proxies')).json() as Record<
      string,
      { enabled: boolean; toxics: [] }
    >;
    expect(all.r1).toMatchObject({ enabled: true, toxics: [] });
    expect(all.r2).toMatchObject({ enabled: true, toxics: [] });
  });
});

describe('noop toxic over raw HTTP', () => {
  it('is a registered type with no attributes, listed like the others, and passes data unchanged', async () => {
    const created = await api(url, 'POST', '/proxies', proxyBody('n'));
    const { listen } = created.json() as { listen: string };
    const toxic = await api(url, 'POST', '/proxies/n/toxics', { type: 'noop', attributes: { ignored: 1 } });
    expect(toxic.status).toBe(200);
    expect(toxic.text).toBe(
      '{"attributes":{},"name":"noop_downstream","type":"noop","stream":"downstream","toxicity":1}',
    );
    const listed = (await api(url, 'GET', '/proxies/n')).json() as { toxics: { type: string }[] };
    expect(listed.toxics.map((t) => t.type)).toEqual(['noop']);
    const client = new RecordingClient(portOf(listen));
    await client.connected;
    await client.roundTrip('through noop');
    expect(client.received.toString()).toBe('through noop');
    client.socket.destroy();
    expect((await api(url, 'DELETE', '/proxies/n/toxics/noop_downstream')).status).toBe(204);
  });
});

describe('X-Toxiproxy-Request-Id over raw HTTP', () => {
  it('comes with every answer of a route, errors included, a new xid-shaped id each time', async () => {
    const answers = [
      await api(url, 'GET', '/version'),
      await api(url, 'GET', '/proxies'),
      await api(url, 'POST', '/proxies', proxyBody('r')),
      await api(url, 'POST', '/proxies', proxyBody('r')), // 409
      await api(url, 'GET', '/proxies/absent'), // 404 from the route
      await api(url, 'POST', '/reset'), // 204
    ];
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 201, 409, 404, 204]);
    const ids = answers.map((answer) => answer.headers.get('x-toxiproxy-request-id'));
    for (const id of ids) expect(id).toMatch(/^[0-9a-v]{20}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('is absent where Toxiproxy answers before its router: unknown paths, wrong methods, browsers', async () => {
    const answers = [
      await api(url, 'GET', '/nothing'),
      await api(url, 'PUT', '/proxies'),
      await api(url, 'GET', '/proxies', undefined, { 'User-Agent': 'Mozilla/5.0' }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([404, 405, 403]);
    for (const answer of answers) expect(answer.headers.get('x-toxiproxy-request-id')).toBeNull();
  });
});

describe('POST /populate', () => {
  it('creates (201), is idempotent (same proxies, toxics and connections kept) and replaces on change', async () => {
    const first = await api(url, 'POST', '/populate', [proxyBody('p1'), proxyBody('p2')]);
    expect(first.status).toBe(201);
    const created = (first.json() as { proxies: { name: string; listen: string }[] }).proxies;
    expect(created.map((proxy) => proxy.name)).toEqual(['p1', 'p2']);
    await api(url, 'POST', '/proxies/p1/toxics', { type: 'latency', attributes: { latency: 1 } });
    const listens = created.map((proxy) => ({ ...proxyBody(proxy.name), listen: proxy.listen }));
    const client = new RecordingClient(portOf(created[0]?.listen ?? ''));
    await client.connected;

    const again = await api(url, 'POST', '/populate', listens);
    expect(again.status).toBe(201);
    const kept = (again.json() as { proxies: { listen: string; toxics: unknown[] }[] }).proxies;
    expect(kept.map((proxy) => proxy.listen)).toEqual(created.map((proxy) => proxy.listen));
    expect(kept[0]?.toxics).toHaveLength(1);
    await client.roundTrip('still open');

    const changed = await api(url, 'POST', '/populate', [
      { ...listens[0], upstream: `127.0.0.1:${upstream.port}0` },
    ]);
    expect(changed.status).toBe(201);
    expect((changed.json() as { proxies: { toxics: unknown[] }[] }).proxies[0]?.toxics).toEqual([]);
    await client.closed;
  });

  it('validates every proxy first (400, nothing created); a later failure keeps the earlier ones', async () => {
    const invalid = await api(url, 'POST', '/populate', [proxyBody('ok'), { listen: '127.0.0.1:0' }]);
    expect(invalid.status).toBe(400);
    expect(invalid.json()).toEqual({
      error: 'missing required field: name at proxy 2',
      status: 400,
      proxies: null,
    });
    expect((await api(url, 'GET', '/proxies')).json()).toEqual({});

    const partial = await api(url, 'POST', '/populate', [
      proxyBody('one'),
      proxyBody('two', { listen: 'local373' }),
      proxyBody('three'),
    ]);
    expect(partial.status).toBe(500);
    const body = partial.json() as { error: string; proxies: { name: string }[] };
    expect(body.error).toBe('listen tcp: address local373: missing port in address');
    expect(body.proxies.map((proxy) => proxy.name)).toEqual(['one']);
    expect(Object.keys((await api(url, 'GET', '/proxies')).json() as object)).toEqual(['one']);

    const empty = await api(url, 'POST', '/populate', []);
    expect(empty.status).toBe(201);
    expect(empty.text).toBe('{"proxies":null}');
    expect((await api(url, 'POST', '/populate', { name: 'x' })).status).toBe(400);
    expect((await api(url, 'POST', '/populate', 'null')).text).toBe('{"proxies":null}');
  });
});

describe('toxiproxy-node-client drives it as it drives Toxiproxy', () => {
  it('every client operation', async () => {
    const toxiproxy = new Toxiproxy(url);
    expect(JSON.parse(await toxiproxy.getVersion())).toEqual({ version: '2.12.0' });
    const proxy = await toxiproxy.createProxy(proxyBody('client'));
    expect(proxy.enabled).toBe(true);
    expect(proxy.listen).toMatch(/^127\.0\.0\.1:\d+$/);
    await expect(toxiproxy.createProxy(proxyBody('client'))).rejects.toThrow(ToxiproxyError);
    await expect(toxiproxy.createProxy(proxyBody('client'))).rejects.toThrow('status code 409');

    const toxic = await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    expect(toxic.toJson()).toEqual({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 50, jitter: 0 },
    });
    const fetched = await proxy.getToxic('slow');
    expect(fetched.attributes).toEqual({ latency: 50, jitter: 0 });
    const updated = await fetched.update({ ...fetched.toJson(), attributes: { latency: 60, jitter: 1 } });
    expect(updated.attributes).toEqual({ latency: 60, jitter: 1 });
    await updated.remove();
    await expect(proxy.getToxic('slow')).rejects.toThrow('status code 404');

    const disabled = await proxy.update({ ...proxy.toJson(), enabled: false });
    expect(disabled.enabled).toBe(false);
    const all = await toxiproxy.getAll();
    expect(Object.keys(all)).toEqual(['client']);
    expect((await toxiproxy.get('client')).enabled).toBe(false);
    await toxiproxy.reset();
    expect((await toxiproxy.get('client')).enabled).toBe(true);

    const populated = await toxiproxy.populate([
      { name: 'client', listen: proxy.listen, upstream: upstream.address },
      proxyBody('second'),
    ]);
    expect(Object.keys(populated)).toEqual(['client', 'second']);
    expect(populated.client?.listen).toBe(proxy.listen);

    await proxy.remove();
    await expect(toxiproxy.get('client')).rejects.toThrow('status code 404');
  });
});
