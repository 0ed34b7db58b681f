/**
 * `--listener <host:port>[=<advertised-host:port>]`: an extra listen address and what the broker
 * tells clients that connect through it (e.g. the fault proxy's address for one service link).
 */
import type { ListenerOptions } from './broker.ts';

function hostPort(text: string, what: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new Error(`${what} '${text}' is not host:port`);
  return { host: (match[1] ?? match[2]) as string, port };
}

export function parseListenerSpec(spec: string): ListenerOptions {
  const [bind, advertised, extra] = spec.split('=');
  if (bind === undefined || extra !== undefined)
    throw new Error(`listener '${spec}' is not host:port[=host:port]`);
  const bound = hostPort(bind, 'listener');
  if (advertised === undefined) return bound;
  const told = hostPort(advertised, 'advertised address');
  return { ...bound, advertisedHost: told.host, advertisedPort: told.port };
}
