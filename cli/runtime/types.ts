/**
 * The Runtime contract (docs/ARCHITECTURE.md "Runtimes"): both the local and the docker runtime offer exactly
 * these operations, so commands and the chaos engine never care which one runs the stack.
 */
import type { ClockJSON, ClockRequest } from '../../common/clock.ts';
import type { DatabaseServiceName, Kit, PatternSwitch, ServiceName } from '../../common/roster.ts';

export type RuntimeName = 'local' | 'docker';

export interface Endpoints {
  /** The one public HTTP entry. */
  gatewayUrl: string;
  /** Toxiproxy-compatible HTTP API that owns every link. */
  faultProxyUrl: string;
  /** Broker bootstrap for the lab's own tools (admin, redeliver, poison); not behind the proxy. */
  brokerBootstrap: string;
  /** Direct (not proxied) connection URL of each service's database, for checks. */
  databases: Record<DatabaseServiceName, string>;
  /** Direct (not proxied) base URL of each service's HTTP port (health, metrics, admin). */
  services: Record<ServiceName, string>;
  /** The services' admin secret (seed endpoints, fault hooks); never printed (`***`). */
  adminToken: string;
}

export type ProcessState = 'running' | 'paused' | 'stopped' | 'exited';

export interface ProcessStatus {
  name: string;
  kind: 'infra' | 'service';
  state: ProcessState;
  healthy: boolean;
  /** OS pid (local) or container id (docker). */
  pid?: number;
  containerId?: string;
  port?: number;
  url?: string;
}

export interface StackStatus {
  runtime: RuntimeName;
  running: boolean;
  without: PatternSwitch[];
  kit: Kit;
  /** The stack's lab clock (absent when the stack is not running or predates the clock: real time). */
  clock?: ClockJSON;
  processes: ProcessStatus[];
  endpoints?: Endpoints;
}

export interface UpOptions {
  without: PatternSwitch[];
  /** Default: DEFAULT_KIT. */
  kit?: Kit;
  /** The lab clock (`--clock-speed`, `stack.clock`); default real time. Fixed when the stack starts. */
  clock?: ClockRequest;
  /** Called as each piece starts and becomes healthy, for progress output. */
  onProgress?: (message: string) => void;
  /** Aborted on Ctrl-C: the runtime stops what it started and rejects. */
  signal?: AbortSignal;
}

export interface LogsOptions {
  follow: boolean;
  write: (chunk: string) => void;
  signal?: AbortSignal;
}

export interface Runtime {
  readonly name: RuntimeName;
  /** Starts the stack, waits until every piece is healthy, and returns its endpoints. */
  up(options: UpOptions): Promise<Endpoints>;
  /** Stops everything this runtime started; `purge` also removes data. */
  down(options: { purge: boolean }): Promise<void>;
  status(): Promise<StackStatus>;
  /** Endpoints of a running stack; throws LabError E_NOT_RUNNING when none is up. */
  endpoints(): Promise<Endpoints>;
  logs(target: string | undefined, options: LogsOptions): Promise<void>;
  /** Process faults by name (a service or an infra piece): real signals / container operations. */
  kill(target: string): Promise<void>;
  /** A clean shutdown (SIGTERM / docker stop, SIGKILL after the grace period); stays down until restart. */
  stop(target: string): Promise<void>;
  restart(target: string): Promise<void>;
  pause(target: string): Promise<void>;
  resume(target: string): Promise<void>;
}
