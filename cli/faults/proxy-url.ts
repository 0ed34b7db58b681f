/** Where `lab fault` finds the fault proxy: an override, else the running stack's. */
import { infrastructureFailure } from '../../common/errors.ts';

/**
 * The fault proxy's API URL: LAB_FAULT_PROXY_URL when set (drive any Toxiproxy, or a standalone
 * `lab infra fault-proxy`), else the running stack's endpoint.
 */
export async function resolveFaultProxyUrl(env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const override = env.LAB_FAULT_PROXY_URL?.trim();
  if (override) return override.replace(/\/+$/, '');
  // Loaded lazily: the runtime pulls in dockerode, which the override path never needs.
  const { runtimeOfRunningStack } = await import('../runtime/select.ts');
  const endpoints = await (await runtimeOfRunningStack()).endpoints();
  if (!endpoints.faultProxyUrl) {
    throw infrastructureFailure(
      'E_NO_FAULT_PROXY',
      'the running stack has no fault proxy.',
      'Set LAB_FAULT_PROXY_URL to drive a fault proxy (or Toxiproxy) directly.',
    );
  }
  return endpoints.faultProxyUrl;
}
