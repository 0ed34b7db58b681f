/**
 * The fault-proxy calls the fault modules need, on top of the lab's FaultClient (cli/faults, the
 * toxiproxy-node-client wrapper `lab fault` uses too). Healing must be idempotent, so removing a
 * toxic that is already gone (a reset ran first) is not an error here.
 */

import { LabError } from '../../../common/errors.ts';
import { FaultClient } from '../../faults/client.ts';
import type { ToxicRequest } from '../../faults/toxics.ts';

export type ToxicSpec = ToxicRequest & { name: string };

export interface ProxyClient {
  addToxic(link: string, toxic: ToxicSpec): Promise<void>;
  removeToxic(link: string, name: string): Promise<void>;
  setEnabled(link: string, enabled: boolean): Promise<void>;
  /** Enables every link and removes every toxic. */
  reset(): Promise<void>;
}

export function createProxyClient(baseUrl: string): ProxyClient {
  const client = new FaultClient(baseUrl.replace(/\/+$/, ''));
  return {
    addToxic: async (link, toxic) => {
      await client.addToxic(link, toxic);
    },
    removeToxic: async (link, name) => {
      try {
        await client.removeToxic(link, name);
      } catch (error) {
        if (error instanceof LabError && error.code === 'E_UNKNOWN_TOXIC') return;
        throw error;
      }
    },
    setEnabled: async (link, enabled) => {
      await client.setEnabled(link, enabled);
    },
    reset: async () => {
      await client.reset();
    },
  };
}
