/**
 * compose/postgres/init-databases.sh on a real postgres container (`npm run test:docker`): a
 * volume first started by an older lab, with fewer service databases, gets the missing ones from
 * the compose file's health check, owned by their role and closed to the others; run again, it
 * changes nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_DIR } from '../cli/runtime/docker/config.ts';

const IMAGE = process.env.LAB_POSTGRES_IMAGE || 'lab-postgres:15';
const NAME = `lab-pg-init-${process.pid}`;
const compose = parse(readFileSync(path.join(COMPOSE_DIR, 'docker-compose.yml'), 'utf8')) as {
  services: { postgres: { healthcheck: { test: string[] } } };
};
const [form, healthCheck] = compose.services.postgres.healthcheck.test;

const docker = (...args: string[]) => execa('docker', args, { reject: false, all: true });

/** `sql` over TCP as a service's role, with the services' password. */
const asServiceRole = (role: string, database: string, sql: string) =>
  docker(
    'exec',
    '-e',
    'PGPASSWORD=service-secret',
    NAME,
    'psql',
    '-h',
    '127.0.0.1',
    '-U',
    role,
    '-d',
    database,
    '-tAc',
    sql,
  );

async function databases(): Promise<Record<string, string>> {
  const listed = await docker(
    'exec',
    NAME,
    'psql',
    '-U',
    'lab',
    '-d',
    'postgres',
    '-tAc',
    "SELECT datname || '=' || pg_get_userbyid(datdba) FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1",
  );
  expect(listed.exitCode, listed.all).toBe(0);
  return Object.fromEntries(
    listed.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('=')),
  );
}

beforeAll(async () => {
  await docker('rm', '-f', '-v', NAME);
  const started = await docker(
    'run',
    '-d',
    '--name',
    NAME,
    '-e',
    'POSTGRES_USER=lab',
    '-e',
    'POSTGRES_PASSWORD=admin-secret',
    '-e',
    'POSTGRES_DB=postgres',
    '-e',
    'LAB_DB_PASSWORD=service-secret',
    // The older lab: two services only.
    '-e',
    'LAB_DATABASES=auth catalog',
    '-v',
    `${path.join(COMPOSE_DIR, 'postgres/init-databases.sh')}:/docker-entrypoint-initdb.d/10-databases.sh:ro`,
    IMAGE,
  );
  expect(started.exitCode, started.all).toBe(0);
  const deadline = Date.now() + 120_000;
  while ((await docker('exec', NAME, 'pg_isready', '-h', '127.0.0.1', '-U', 'lab')).exitCode !== 0) {
    if (Date.now() > deadline)
      throw new Error(`postgres did not start:\n${(await docker('logs', NAME)).all}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});

afterAll(async () => {
  await docker('rm', '-f', '-v', NAME);
});

describe('init-databases.sh', () => {
  it('the compose health check creates the databases a volume lacks, and changes nothing the second time', async () => {
    expect(form).toBe('CMD-SHELL');
    expect(await databases()).toEqual({ auth: 'auth', catalog: 'catalog' });

    // The health check as compose runs it, with this lab's list (the default).
    const check = await docker('exec', '-e', 'LAB_DATABASES=', NAME, 'sh', '-c', healthCheck!);
    expect(check.exitCode, check.all).toBe(0);
    const all = await databases();
    expect(all).toEqual({
      auth: 'auth',
      catalog: 'catalog',
      inventory: 'inventory',
      order: 'order',
      payment: 'payment',
      search: 'search',
      shipping: 'shipping',
    });
    const again = await docker('exec', '-e', 'LAB_DATABASES=', NAME, 'sh', '-c', healthCheck!);
    expect(again.exitCode, again.all).toBe(0);
    expect(await databases()).toEqual(all);
  });

  it('a created database admits its own role with its password, and no other service role', async () => {
    const own = await asServiceRole('search', 'search', 'SELECT current_user');
    expect(own.exitCode, own.all).toBe(0);
    expect(own.stdout.trim()).toBe('search');
    const other = await asServiceRole('auth', 'search', 'SELECT 1');
    expect(other.exitCode).not.toBe(0);
    expect(other.all).toMatch(/permission denied for database "search"/);
  });
});
