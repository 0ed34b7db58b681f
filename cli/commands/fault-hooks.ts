/**
 * The services' fault hooks as `lab fault reset` sees them (services/SCHEMA.md "Fault hooks"):
 * which are on (GET /admin/faults), and all of them off (POST /admin/reset).
 */
import { DATABASE_SERVICES } from '../../common/roster.ts';
import type { Endpoints } from '../runtime/types.ts';

interface HookSnapshot {
  duplicate: { probability: number; copies: number } | null;
  relay_crash: boolean;
}

export interface HookReset {
  service: string;
  /** The hooks that were on, described. */
  turnedOff: string[];
  /** Set when the service did not answer (a killed service has no hooks on). */
  error?: string;
}

async function adminCall(
  base: string,
  path: string,
  token: string,
  method: 'GET' | 'POST',
): Promise<unknown> {
  const response = await fetch(new URL(path, base), {
    method,
    headers: {
      'x-lab-admin-token': token,
      ...(method === 'POST' ? { 'content-type': 'application/json' } : {}),
    },
    ...(method === 'POST' ? { body: '{}' } : {}),
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

function describeHooks(snapshot: HookSnapshot): string[] {
  const on: string[] = [];
  if (snapshot.duplicate)
    on.push(
      `duplicate (probability ${snapshot.duplicate.probability}, ${snapshot.duplicate.copies} ${snapshot.duplicate.copies === 1 ? 'copy' : 'copies'})`,
    );
  if (snapshot.relay_crash) on.push('relay_crash');
  return on;
}

/** Turns every service's hooks off, reporting which were on. */
export async function resetServiceHooks(
  endpoints: Pick<Endpoints, 'services' | 'adminToken'>,
): Promise<HookReset[]> {
  return Promise.all(
    DATABASE_SERVICES.filter((service) => endpoints.services[service]).map(async (service) => {
      const base = endpoints.services[service];
      try {
        const before = (await adminCall(base, '/admin/faults', endpoints.adminToken, 'GET')) as HookSnapshot;
        await adminCall(base, '/admin/reset', endpoints.adminToken, 'POST');
        return { service, turnedOff: describeHooks(before) };
      } catch (error) {
        return { service, turnedOff: [], error: (error as Error).message };
      }
    }),
  );
}

/** The hooks that are on now, per service (for `lab fault list`). */
export async function activeServiceHooks(
  endpoints: Pick<Endpoints, 'services' | 'adminToken'>,
): Promise<Array<{ service: string; on: string[] }>> {
  return Promise.all(
    DATABASE_SERVICES.filter((service) => endpoints.services[service]).map(async (service) => {
      try {
        const snapshot = (await adminCall(
          endpoints.services[service],
          '/admin/faults',
          endpoints.adminToken,
          'GET',
        )) as HookSnapshot;
        return { service, on: describeHooks(snapshot) };
      } catch {
        return { service, on: [] };
      }
    }),
  );
}
