import { connect } from 'node:net';
import { postgresAnswers } from '../../../infra/postgres/cluster.ts';

/** How the supervisor knows a process is ready. Plain data: it is stored in the state file. */
export type HealthCheck =
  | { type: 'http'; url: string }
  | { type: 'tcp'; host: string; port: number }
  /** A login and `SELECT 1`: the postmaster accepts TCP before it accepts queries. */
  | { type: 'postgres'; url: string };

const ATTEMPT_TIMEOUT_MS = 1500;

async function httpOk(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS) });
  await response.body?.cancel();
  return response.ok;
}

function tcpAccepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: ATTEMPT_TIMEOUT_MS });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/** One attempt; never throws. */
export async function isHealthy(check: HealthCheck): Promise<boolean> {
  try {
    switch (check.type) {
      case 'http':
        return await httpOk(check.url);
      case 'tcp':
        return await tcpAccepts(check.host, check.port);
      case 'postgres':
        return await postgresAnswers(check.url, ATTEMPT_TIMEOUT_MS);
    }
  } catch {
    return false;
  }
}

export function describeHealthCheck(check: HealthCheck): string {
  switch (check.type) {
    case 'http':
      return `GET ${check.url}`;
    case 'tcp':
      return `tcp ${check.host}:${check.port}`;
    case 'postgres':
      return `postgres login on port ${new URL(check.url).port}`;
  }
}
