/**
 * `host:port` addresses as Go's net package reads and prints them, so `listen` values and bind
 * errors look like Toxiproxy's.
 */
import { isIPv6 } from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Splits "host:port" / "[v6]:port"; throws Go's message when it can't. */
export function splitHostPort(address: string): { host: string; port: string } {
  const colon = address.lastIndexOf(':');
  if (colon < 0) throw new Error(`address ${address}: missing port in address`);
  let host = address.slice(0, colon);
  const port = address.slice(colon + 1);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  else if (host.includes(':')) throw new Error(`address ${address}: too many colons in address`);
  return { host, port };
}

function parsePort(port: string, address: string): number {
  const number = Number(port);
  if (port === '' || !Number.isInteger(number) || number < 0 || number > 65535) {
    throw new Error(`address ${address}: invalid port`);
  }
  return number;
}

/**
 * Where to listen for `listen`. "localhost" is 127.0.0.1 (as Go resolves it); an empty host is
 * also 127.0.0.1 here, where Toxiproxy would listen on every interface: the lab stays on loopback.
 */
export function parseListen(listen: string): HostPort {
  const { host, port } = splitHostPort(listen);
  const resolved = host === '' || host === 'localhost' ? '127.0.0.1' : host;
  return { host: resolved, port: parsePort(port, listen) };
}

/** Where to connect for `upstream`. */
export function parseUpstream(upstream: string): HostPort {
  const { host, port } = splitHostPort(upstream);
  return { host: host === '' ? '127.0.0.1' : host, port: parsePort(port, upstream) };
}

/** Go's form: "127.0.0.1:80", "[::1]:80". */
export function formatHostPort({ host, port }: HostPort): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The message Go's net.Listen gives for a failed bind. */
export function bindErrorMessage(listen: HostPort, error: NodeJS.ErrnoException): string {
  const reasons: Record<string, string> = {
    EADDRINUSE: 'address already in use',
    EACCES: 'permission denied',
    EADDRNOTAVAIL: 'cannot assign requested address',
  };
  const reason = (error.code && reasons[error.code]) ?? error.message;
  return `listen tcp ${formatHostPort(listen)}: bind: ${reason}`;
}
