/** Shared by the seven toxic modules: add the toxic to the link, remove it to heal. */
import type { ToxicFaultEntry } from '../schema.ts';
import { type ActiveFault, type FaultContext, once } from './types.ts';

export async function applyToxic(fault: ToxicFaultEntry, context: FaultContext): Promise<ActiveFault> {
  const { link, stream, toxicity, attributes } = fault.options;
  const name = `lab-${context.index}-${fault.kind}`;
  await context.proxy.addToxic(link, { name, type: fault.kind, stream, toxicity, attributes });
  context.log(`${fault.kind} on ${link} (${stream}, ${JSON.stringify(attributes)})`);
  return { target: link, heal: once(() => context.proxy.removeToxic(link, name)) };
}
