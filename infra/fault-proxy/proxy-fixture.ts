/**
 * The fault proxy's test fixture: one proxy (seeded, so toxicity draws and jitter repeat) and an
 * echo upstream for a whole test file, with every proxy removed after each test so no test sees
 * another's links or toxics. Uses vitest's hooks, so only test files import it.
 */
import { afterAll, afterEach, beforeAll } from 'vitest';
import { type FaultProxy, startFaultProxy } from './server.ts';
import { echoUpstream, type Upstream } from './test-support.ts';

export interface FaultProxyTestEnv {
  faultProxy: FaultProxy;
  echo: Upstream;
}

export function withFaultProxy(options: { seed: number }, ready: (env: FaultProxyTestEnv) => void): void {
  let faultProxy: FaultProxy | undefined;
  let echo: Upstream | undefined;
  beforeAll(async () => {
    faultProxy = await startFaultProxy({ port: 0, seed: options.seed });
    echo = await echoUpstream();
    ready({ faultProxy, echo });
  });
  afterEach(async () => {
    await faultProxy?.proxies.clear();
  });
  afterAll(async () => {
    await faultProxy?.close();
    await echo?.close();
  });
}
