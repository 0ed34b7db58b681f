/**
 * compose/docker-compose.yml and compose/standins.yml, validated by the compose this machine has
 * (`docker compose config` or `docker-compose config`), with the default and overridden images,
 * and checked against the link table of docs/ARCHITECTURE.md: every connection a service makes goes through a
 * fault-proxy link, and the broker advertises one listener per link.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCompose, startedServices } from '../cli/runtime/docker/compose.ts';
import { COMPOSE_DIR, dockerConfig, requiredImagesOf } from '../cli/runtime/docker/config.ts';
import { DATABASE_SERVICES, SERVICES } from '../common/roster.ts';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: Array<string | { target: number; host_ip?: string }>;
  build?: { args?: Record<string, string> };
  profiles?: string[];
}
type ComposeModel = { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };

/**
 * The services `up` starts without a profile. compose v2's `config` leaves the others out, v1's
 * lists them with their `profiles`.
 */
function defaultServices(model: ComposeModel): Array<[string, ComposeService]> {
  return Object.entries(model.services).filter(([, service]) => !service.profiles?.length);
}

const OVERRIDES = {
  LAB_POSTGRES_IMAGE: 'registry.example/postgres:15-test',
  LAB_KAFKA_IMAGE: 'registry.example/kafka:test',
  LAB_TOXIPROXY_IMAGE: 'registry.example/toxiproxy:test',
  LAB_NODE_IMAGE: 'registry.example/node:24-test',
};

/** Empty = unset for `${VAR:-default}`: the defaults apply whatever the calling shell exports. */
const UNSET = Object.fromEntries(
  [
    ...Object.keys(OVERRIDES),
    'LAB_IMAGE',
    'LAB_JAEGER_IMAGE',
    'OTEL_EXPORTER_OTLP_ENDPOINT',
    'LAB_TRACING',
  ].map((name) => [name, '']),
);

/** What `lab up --runtime docker` passes from the lab home; the files have no default for them. */
const SECRETS = { LAB_ADMIN_TOKEN: 'test-admin-token', LAB_JWT_SECRET: 'test-jwt-secret' };

/** `compose config` of the project with these env overrides (and profiles): exit code and output. */
function runConfig(env: Record<string, string>, profiles: string[] = []) {
  const config = dockerConfig({ ...env, LAB_COMPOSE_PROJECT: 'labconfig' });
  return runCompose(config, [...profiles.flatMap((profile) => ['--profile', profile]), 'config'], {
    env: { ...UNSET, LAB_KAFKA_HOST_PORT: '39094', ...SECRETS, ...env },
  });
}

/** `compose config` of the project with these env overrides: the resolved model. */
async function composeConfig(env: Record<string, string>, profiles: string[] = []): Promise<ComposeModel> {
  const result = await runConfig(env, profiles);
  expect(result.exitCode, result.output).toBe(0);
  // v1 prints warnings on stderr (merged into output); the model starts at the first top-level key.
  const yamlText = result.output.slice(result.output.search(/^(name|services|version):/m));
  return parse(yamlText) as ComposeModel;
}

const links = JSON.parse(readFileSync(path.join(COMPOSE_DIR, 'toxiproxy.json'), 'utf8')) as Array<{
  name: string;
  listen: string;
  upstream: string;
}>;
const linkByName = new Map(links.map((link) => [link.name, link]));
const port = (address: string): string => address.slice(address.lastIndexOf(':') + 1);

describe('compose files', () => {
  it('docker-compose.yml validates with the default images, and names the public ones', async () => {
    const model = await composeConfig({});
    expect(model.services.postgres?.image).toBe('postgres:17');
    expect(model.services.kafka?.image).toBe('apache/kafka:3.9.1');
    expect(model.services['fault-proxy']?.image).toBe('ghcr.io/shopify/toxiproxy:2.12.0');
    expect(model.services.gateway?.build?.args?.LAB_NODE_IMAGE).toBe('node:24-slim');
    expect(
      defaultServices(model)
        .map(([name]) => name)
        .sort(),
    ).toEqual([...SERVICES, 'fault-proxy', 'kafka', 'postgres'].sort());
  });

  it('--profile tracing adds Jaeger on loopback, and every service exports its spans to it', async () => {
    const plain = await composeConfig({});
    expect(defaultServices(plain).map(([name]) => name)).not.toContain('jaeger');
    const traced = await composeConfig({}, ['tracing']);
    expect(traced.services.jaeger?.image).toBe('jaegertracing/jaeger:2.5.0');
    expect(traced.services.jaeger?.profiles).toEqual(['tracing']);
    const published = (traced.services.jaeger?.ports ?? []).map((entry) =>
      typeof entry === 'string' ? entry : `${entry.host_ip}:${entry.target}`,
    );
    expect(published.length).toBeGreaterThan(0);
    for (const entry of published) expect(entry).toMatch(/^127\.0\.0\.1:/);
    for (const service of SERVICES) {
      expect(traced.services[service]?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT, service).toBe(
        'http://jaeger:4318',
      );
      expect(traced.services[service]?.environment?.LAB_TRACING, service).toBe('on');
    }
    // A collector of the user's own wins, and LAB_TRACING=off turns the spans off.
    const own = await composeConfig(
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector.example:4318',
        LAB_TRACING: 'off',
        LAB_JAEGER_IMAGE: 'registry.example/jaeger:test',
      },
      ['tracing'],
    );
    expect(own.services.order?.environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(
      'http://collector.example:4318',
    );
    expect(own.services.order?.environment?.LAB_TRACING).toBe('off');
    expect(own.services.jaeger?.image).toBe('registry.example/jaeger:test');
  });

  it('lab up waits for the services compose starts: Jaeger only with COMPOSE_PROFILES=tracing', async () => {
    for (const files of [{}, { LAB_DOCKER_STANDINS: '1' }] as Record<string, string>[]) {
      const config = dockerConfig({ ...files, LAB_COMPOSE_PROJECT: 'labconfig' });
      const listed = (
        await runCompose(config, ['config', '--services'], {
          env: { ...UNSET, LAB_KAFKA_HOST_PORT: '39094', ...SECRETS },
        })
      ).output
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean);
      const plain = startedServices(config, listed, {});
      expect(plain.sort()).toEqual([...SERVICES, 'fault-proxy', 'kafka', 'postgres'].sort());
      expect(startedServices(config, listed, { COMPOSE_PROFILES: 'other' })).not.toContain('jaeger');
      const traced = startedServices(config, [...new Set([...listed, 'jaeger'])], {
        COMPOSE_PROFILES: 'other, tracing',
      });
      expect(traced).toContain('jaeger');
    }
  });

  it('a hand-run compose refuses to start without the admin token or the JWT secret: no well-known default', async () => {
    for (const files of [{}, { LAB_DOCKER_STANDINS: '1' }] as Record<string, string>[])
      for (const missing of Object.keys(SECRETS)) {
        // Empty counts as unset for `${VAR:?}`, whatever the calling shell exports.
        const result = await runConfig({ ...files, [missing]: '' });
        expect(result.exitCode, result.output).not.toBe(0);
        expect(result.output).toContain(`${missing} must be set`);
      }
    const model = await composeConfig({});
    for (const service of SERVICES) {
      expect(model.services[service]?.environment?.LAB_ADMIN_TOKEN).toBe(SECRETS.LAB_ADMIN_TOKEN);
      expect(model.services[service]?.environment?.JWT_SECRET).toBe(SECRETS.LAB_JWT_SECRET);
    }
  });

  it('docker-compose.yml validates with every image overridden by env', async () => {
    const model = await composeConfig(OVERRIDES);
    expect(model.services.postgres?.image).toBe(OVERRIDES.LAB_POSTGRES_IMAGE);
    expect(model.services.kafka?.image).toBe(OVERRIDES.LAB_KAFKA_IMAGE);
    expect(model.services['fault-proxy']?.image).toBe(OVERRIDES.LAB_TOXIPROXY_IMAGE);
    for (const service of SERVICES)
      expect(model.services[service]?.build?.args?.LAB_NODE_IMAGE).toBe(OVERRIDES.LAB_NODE_IMAGE);
  });

  it('standins.yml validates (default and overridden images) and runs the lab broker and proxy from the lab image', async () => {
    for (const env of [
      { LAB_DOCKER_STANDINS: '1' },
      { ...OVERRIDES, LAB_DOCKER_STANDINS: '1', LAB_IMAGE: 'lab:ci' },
    ]) {
      const model = await composeConfig(env);
      const labImage = 'LAB_IMAGE' in env ? env.LAB_IMAGE : 'lab:local';
      expect(model.services.kafka?.image).toBe(labImage);
      expect(model.services['fault-proxy']?.image).toBe(labImage);
      expect(model.services.kafka?.command?.slice(0, 4)).toEqual(['node', 'bin/lab', 'infra', 'kafka']);
      expect(model.services['fault-proxy']?.command?.slice(0, 4)).toEqual([
        'node',
        'bin/lab',
        'infra',
        'fault-proxy',
      ]);
      expect(model.services.postgres?.image).toBe(
        'LAB_POSTGRES_IMAGE' in env ? env.LAB_POSTGRES_IMAGE : 'postgres:17',
      );
    }
  });

  it('every piece has a health check, and everything waits for its dependencies to be healthy', async () => {
    const variants: Record<string, string>[] = [{}, { LAB_DOCKER_STANDINS: '1' }];
    for (const env of variants) {
      const model = await composeConfig(env);
      for (const [name, service] of defaultServices(model)) {
        expect(service.healthcheck?.test?.length, name).toBeGreaterThan(0);
        for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {}))
          expect(condition, `${name} → ${dependency}`).toBe('service_healthy');
      }
      expect(Object.keys(model.services.gateway?.depends_on ?? {})).toEqual(
        expect.arrayContaining(['fault-proxy', ...DATABASE_SERVICES]),
      );
    }
  });

  it("every service reaches its database, the broker and (gateway) the services only through the proxy's links", async () => {
    const model = await composeConfig({});
    for (const service of DATABASE_SERVICES) {
      const env = model.services[service]?.environment ?? {};
      const db = linkByName.get(`${service}.db`);
      const kafka = linkByName.get(`${service}.kafka`);
      expect(db?.upstream).toBe('postgres:5432');
      expect(String(env.DATABASE_URL)).toContain(`@fault-proxy:${port(db?.listen ?? '')}/${service}`);
      expect(env.KAFKA_BROKERS).toBe(`fault-proxy:${port(kafka?.listen ?? '')}`);
      expect(env.HOST).toBe('0.0.0.0');
      const gatewayLink = linkByName.get(`gateway.${service}`);
      expect(gatewayLink?.upstream).toBe(`${service}:8080`);
      expect(model.services.gateway?.environment?.[`${service.toUpperCase()}_URL`]).toBe(
        `http://fault-proxy:${port(gatewayLink?.listen ?? '')}`,
      );
    }
  });

  it('the broker advertises one listener per <service>.kafka link, as the proxy address, in both files', async () => {
    const kafkaLinks = links.filter((link) => link.name.endsWith('.kafka'));
    expect(kafkaLinks.map((link) => link.name.split('.')[0]).sort()).toEqual([...DATABASE_SERVICES].sort());
    const real = (await composeConfig({})).services.kafka?.environment ?? {};
    const advertised = String(real.KAFKA_ADVERTISED_LISTENERS);
    const standin = (await composeConfig({ LAB_DOCKER_STANDINS: '1' })).services.kafka?.command ?? [];
    for (const link of kafkaLinks) {
      const linkPort = port(link.listen);
      expect(link.upstream).toBe(`kafka:${linkPort}`);
      expect(advertised).toMatch(new RegExp(`//fault-proxy:${linkPort}(,|$)`));
      expect(standin).toContain(`--listener=0.0.0.0:${linkPort}=fault-proxy:${linkPort}`);
    }
    // The host listener advertises the published port the runtime chose.
    expect(advertised).toContain('HOST://127.0.0.1:39094');
    expect(standin).toContain('--listener=0.0.0.0:9094=127.0.0.1:39094');
  });

  it('requiredImages: the stand-ins need neither the Kafka nor the Toxiproxy image', () => {
    expect(requiredImagesOf(dockerConfig({}))).toEqual([
      'postgres:17',
      'node:24-slim',
      'apache/kafka:3.9.1',
      'ghcr.io/shopify/toxiproxy:2.12.0',
    ]);
    expect(requiredImagesOf(dockerConfig({ ...OVERRIDES, LAB_DOCKER_STANDINS: '1' }))).toEqual([
      OVERRIDES.LAB_POSTGRES_IMAGE,
      OVERRIDES.LAB_NODE_IMAGE,
    ]);
  });
});
