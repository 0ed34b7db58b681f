/** The services' fault hooks (services/SCHEMA.md "Fault hooks"): POST /admin/faults on a service's own port. */
import type { ServiceName } from '../../../common/roster.ts';
import { requestJson } from '../http.ts';
import type { FaultContext } from './types.ts';

export async function setHook(
  context: FaultContext,
  service: ServiceName,
  hook: Record<string, unknown>,
  /** The hook's endpoint: the kit's `/admin/faults`, or a service's own (search's `/admin/projection`). */
  endpoint = '/admin/faults',
): Promise<void> {
  const base = context.endpoints.services[service];
  const { status, body } = await requestJson(new URL(endpoint, base).href, {
    body: hook,
    headers: { 'x-lab-admin-token': context.adminToken },
    timeoutMs: 5000,
  });
  if (status >= 300)
    throw new Error(
      `${service} refused fault hook ${JSON.stringify(hook)}: HTTP ${status} ${JSON.stringify(body)}`,
    );
}

/** Turns every hook of a service off (the heal safety net). */
export async function resetHooks(
  endpoints: FaultContext['endpoints'],
  token: string,
  service: ServiceName,
): Promise<void> {
  await requestJson(new URL('/admin/reset', endpoints.services[service]).href, {
    method: 'POST',
    body: {},
    headers: { 'x-lab-admin-token': token },
    timeoutMs: 3000,
  });
}
