import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { ExitCode, LabError } from '../../common/errors.ts';
import { DATABASE_SERVICES, type DatabaseServiceName } from '../../common/roster.ts';
import { allocatePort } from '../ports.ts';
import { requirePostgres } from './binaries.ts';
import { clearLeftovers, runningPostmaster } from './leftovers.ts';
import { giveTo, makeTraversable, type OsIdentity, postgresIdentity } from './os-user.ts';

const execFileAsync = promisify(execFile);

export type SynchronousCommit = 'on' | 'off' | 'local' | 'remote_write' | 'remote_apply';

export interface PostgresClusterOptions {
  /** PGDATA. Created (and initdb'd) by init() when missing or empty. */
  dataDir: string;
  /** TCP port on 127.0.0.1; a free one is picked at start when omitted. */
  port?: number;
  /** Directory of initdb/pg_ctl/postgres; found like `lab doctor` does when omitted. */
  binDir?: string;
  /** Default 'on'. 'off' trades the last few commits on a crash for speed; fsync stays on. */
  synchronousCommit?: SynchronousCommit;
  /** Where the postmaster's stderr goes (start()); default `<dataDir>.log`. */
  logFile?: string;
  /** Default 200: 6 services x a pool of ~20, relays, checks, and headroom. */
  maxConnections?: number;
}

export interface RoleCredentials {
  user: string;
  password: string;
  database: string;
}

/** Kept beside the cluster (mode 0600, owned by us) so a restart with intact data reuses them. */
export interface ClusterCredentials {
  admin: RoleCredentials;
  services: Partial<Record<DatabaseServiceName, RoleCredentials>>;
}

/** What a supervisor needs to start the postmaster itself (detached, logs to its own file). */
export interface PostmasterLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  /** Fast shutdown (what `pg_ctl stop -m fast` sends); SIGTERM would wait for clients to leave. */
  stopSignal: NodeJS.Signals;
}

const CREDENTIALS_FILE = 'lab-credentials.json';
// Unix socket paths are limited to 107 bytes; beyond that the cluster listens on TCP only.
const MAX_SOCKET_PATH = 100;

function newPassword(): string {
  return randomBytes(24).toString('hex');
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

function tail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * One PostgreSQL cluster for the lab: initdb once, start on 127.0.0.1 with the socket in the data
 * dir, one database and one role per service. Survives restarts and a SIGKILLed postmaster.
 */
export class PostgresCluster {
  readonly dataDir: string;
  readonly binDir: string;
  readonly logFile: string;
  readonly synchronousCommit: SynchronousCommit;
  readonly maxConnections: number;
  #port: number | undefined;
  readonly #identity: OsIdentity | undefined;

  constructor(options: PostgresClusterOptions) {
    this.dataDir = path.resolve(options.dataDir);
    this.binDir = options.binDir ?? requirePostgres().binDir;
    this.logFile = options.logFile ?? `${this.dataDir}.log`;
    this.synchronousCommit = options.synchronousCommit ?? 'on';
    this.maxConnections = options.maxConnections ?? 200;
    this.#port = options.port;
    this.#identity = postgresIdentity();
  }

  get port(): number {
    if (this.#port === undefined)
      throw new Error('the cluster has no port yet: call start() or assignPort()');
    return this.#port;
  }

  /** Picks a free port now (when none was given), so it can be recorded before the postmaster runs. */
  async assignPort(): Promise<number> {
    this.#port ??= await allocatePort();
    return this.#port;
  }

  get initialized(): boolean {
    return existsSync(path.join(this.dataDir, 'PG_VERSION'));
  }

  credentials(): ClusterCredentials {
    try {
      return JSON.parse(
        readFileSync(path.join(this.dataDir, CREDENTIALS_FILE), 'utf8'),
      ) as ClusterCredentials;
    } catch (cause) {
      throw new Error(`no credentials for the cluster in ${this.dataDir}: was init() run?`, { cause });
    }
  }

  #saveCredentials(credentials: ClusterCredentials): void {
    const file = path.join(this.dataDir, CREDENTIALS_FILE);
    writeFileSync(file, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }

  #binary(name: string): string {
    return path.join(this.binDir, name);
  }

  /** Runs a PostgreSQL tool as the cluster's OS user. */
  async #run(name: string, args: string[]): Promise<string> {
    try {
      const { stdout } = await execFileAsync(this.#binary(name), args, {
        uid: this.#identity?.uid,
        gid: this.#identity?.gid,
        cwd: '/',
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
        timeout: 120_000,
      });
      return stdout;
    } catch (error) {
      const stderr = (error as { stderr?: string }).stderr ?? '';
      throw new LabError('E_POSTGRES', `${name} failed: ${stderr.trim() || (error as Error).message}`, {
        exitCode: ExitCode.infrastructure,
        cause: error,
      });
    }
  }

  /** Creates the cluster unless the data dir already holds one. Returns whether it created it. */
  async init(): Promise<boolean> {
    if (this.initialized) {
      if (!existsSync(path.join(this.dataDir, CREDENTIALS_FILE)))
        throw new LabError(
          'E_POSTGRES',
          `the cluster in ${this.dataDir} has no lab credentials (an interrupted initdb?).`,
          {
            exitCode: ExitCode.infrastructure,
            hint: 'Start over with `lab down --purge` (it deletes the lab data), or remove that directory.',
          },
        );
      return false;
    }
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    makeTraversable(this.#identity, this.dataDir);
    giveTo(this.#identity, this.dataDir);
    chmodSync(this.dataDir, 0o700);

    const admin: RoleCredentials = { user: 'postgres', password: newPassword(), database: 'postgres' };
    // The password reaches initdb through a private file, never the command line or a log.
    const pwDir = mkdtempSync(path.join(tmpdir(), 'lab-pw-'));
    const pwFile = path.join(pwDir, 'pw');
    try {
      writeFileSync(pwFile, `${admin.password}\n`, { mode: 0o600 });
      giveTo(this.#identity, pwDir);
      giveTo(this.#identity, pwFile);
      await this.#run('initdb', [
        '-D',
        this.dataDir,
        '-U',
        admin.user,
        `--pwfile=${pwFile}`,
        '--auth-local=scram-sha-256',
        '--auth-host=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
        '--no-instructions',
      ]);
    } finally {
      rmSync(pwDir, { recursive: true, force: true });
    }
    appendFileSync(
      path.join(this.dataDir, 'postgresql.conf'),
      [
        '',
        '# lab: a single-machine lab cluster',
        "listen_addresses = '127.0.0.1'",
        `max_connections = ${this.maxConnections}`,
        'shared_buffers = 64MB',
        'fsync = on',
        "password_encryption = 'scram-sha-256'",
        // The services' busiest tables (outbox, inbox, orders) grow from empty within seconds of
        // `lab up`, and their statements are prepared once per connection: a plan made while a
        // table was nearly empty (a scan of all of it) is only made again once the table has
        // been analyzed. Autovacuum looks every 5 s instead of every minute.
        'autovacuum_naptime = 5s',
        'logging_collector = off',
        "log_line_prefix = '%m [%p] %q%u@%d '",
        // Failing statements would otherwise be logged, and a role's password travels in one.
        'log_min_error_statement = panic',
        '',
      ].join('\n'),
    );
    this.#saveCredentials({ admin, services: {} });
    return true;
  }

  #socketArgs(): string[] {
    const socketPath = path.join(this.dataDir, `.s.PGSQL.${this.port}`);
    return ['-c', `unix_socket_directories=${socketPath.length <= MAX_SOCKET_PATH ? this.dataDir : ''}`];
  }

  /** The postmaster command line for a supervisor that spawns it detached itself. */
  launch(): PostmasterLaunch {
    return {
      command: this.#binary('postgres'),
      args: [
        '-D',
        this.dataDir,
        '-c',
        `port=${this.port}`,
        '-c',
        `synchronous_commit=${this.synchronousCommit}`,
        ...this.#socketArgs(),
      ],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LC_ALL: 'C' },
      uid: this.#identity?.uid,
      gid: this.#identity?.gid,
      stopSignal: 'SIGINT',
    };
  }

  /**
   * Everything before spawning the postmaster: init if needed, a port, and cleanup after a
   * SIGKILLed postmaster. Throws E_POSTGRES_RUNNING if a live postmaster already owns the data dir.
   */
  async prepareStart(): Promise<void> {
    await this.init();
    const running = runningPostmaster(this.dataDir);
    if (running)
      throw new LabError(
        'E_POSTGRES_RUNNING',
        `a postmaster (pid ${running.pid}) already runs on ${this.dataDir}`,
        {
          exitCode: ExitCode.infrastructure,
        },
      );
    await clearLeftovers(this.dataDir);
    await this.assignPort();
  }

  /**
   * Starts the postmaster detached (it outlives this process) and waits until it accepts the admin
   * login. If one already runs on this data dir, adopts it (and its port).
   */
  async start(options: { deadlineMs?: number } = {}): Promise<void> {
    const running = runningPostmaster(this.dataDir);
    if (running) {
      this.#port = running.port;
      await this.waitReady(options);
      return;
    }
    await this.prepareStart();
    const launch = this.launch();
    const log = openSync(this.logFile, 'a', 0o600);
    try {
      const child = spawn(launch.command, launch.args, {
        detached: true,
        stdio: ['ignore', log, log],
        env: launch.env,
        uid: launch.uid,
        gid: launch.gid,
        cwd: '/',
      });
      child.on('error', () => {});
      child.unref();
    } finally {
      closeSync(log);
    }
    await this.waitReady(options);
  }

  /** Resolves once the admin can log in and run a query; fails early if the postmaster died. */
  async waitReady(options: { deadlineMs?: number; signal?: AbortSignal } = {}): Promise<void> {
    const deadline = Date.now() + (options.deadlineMs ?? 60_000);
    let lastError: unknown;
    let sawPostmaster = false;
    while (Date.now() < deadline) {
      options.signal?.throwIfAborted();
      try {
        if (await this.ping()) return;
      } catch (error) {
        lastError = error;
      }
      const alive = runningPostmaster(this.dataDir) !== undefined;
      sawPostmaster ||= alive;
      // Before the lock file appears the postmaster may still be booting; after it vanished, it died.
      if (sawPostmaster && !alive)
        throw new LabError('E_POSTGRES', `postgres exited during startup:\n${tail(this.logFile, 15)}`, {
          exitCode: ExitCode.infrastructure,
        });
      await sleep(100);
    }
    throw new LabError(
      'E_POSTGRES',
      `postgres did not accept connections within ${options.deadlineMs ?? 60_000} ms (${(lastError as Error | undefined)?.message ?? 'no answer'}):\n${tail(this.logFile, 15)}`,
      { exitCode: ExitCode.infrastructure },
    );
  }

  /** One admin round trip; true when the server answers a query. */
  async ping(): Promise<boolean> {
    return postgresAnswers(this.adminUrl(), 2000);
  }

  get running(): boolean {
    return runningPostmaster(this.dataDir) !== undefined;
  }

  /** Fast shutdown: open transactions roll back, no client is waited for. No-op when not running. */
  async stop(): Promise<void> {
    if (!this.running) return;
    await this.#run('pg_ctl', ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60']);
  }

  adminUrl(): string {
    const { admin } = this.credentials();
    return `postgres://${admin.user}:${admin.password}@127.0.0.1:${this.port}/${admin.database}`;
  }

  connectionUrl(service: DatabaseServiceName): string {
    const role = this.credentials().services[service];
    if (!role) throw new Error(`no database for ${service} yet: call createServiceDatabases()`);
    return `postgres://${role.user}:${role.password}@127.0.0.1:${this.port}/${encodeURIComponent(role.database)}`;
  }

  /**
   * One role (random scram password) and one database per service, owned by that role, that no
   * other role may connect to. Idempotent: existing roles get their stored password back.
   */
  async createServiceDatabases(
    services: readonly DatabaseServiceName[] = DATABASE_SERVICES,
  ): Promise<Record<DatabaseServiceName, string>> {
    const credentials = this.credentials();
    const client = new pg.Client({ connectionString: this.adminUrl() });
    client.on('error', () => {});
    await client.connect();
    try {
      await client.query('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC');
      for (const service of services) {
        const role = credentials.services[service] ?? {
          user: service,
          password: newPassword(),
          database: service,
        };
        credentials.services[service] = role;
        const exists = await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.user]);
        // Passwords are hex, so inlining them is safe; utility statements take no parameters.
        const verb = exists.rowCount ? 'ALTER' : 'CREATE';
        await client.query(`${verb} ROLE ${quoteIdent(role.user)} LOGIN PASSWORD '${role.password}'`);
        const db = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [role.database]);
        if (!db.rowCount)
          await client.query(`CREATE DATABASE ${quoteIdent(role.database)} OWNER ${quoteIdent(role.user)}`);
        await client.query(`REVOKE CONNECT ON DATABASE ${quoteIdent(role.database)} FROM PUBLIC`);
        await client.query(
          `GRANT CONNECT ON DATABASE ${quoteIdent(role.database)} TO ${quoteIdent(role.user)}`,
        );
      }
    } finally {
      await client.end().catch(() => {});
    }
    this.#saveCredentials(credentials);
    return Object.fromEntries(services.map((service) => [service, this.connectionUrl(service)])) as Record<
      DatabaseServiceName,
      string
    >;
  }
}

/** True when the server at `url` answers a query; rejects when it cannot be reached in time. */
export async function postgresAnswers(url: string, connectTimeoutMs: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } finally {
    await client.end().catch(() => {});
  }
}
