/** The check registry and the runner: one check failing to run gives `unknown`, never a crash. */
import type { CheckName, CheckSpec } from '../schema.ts';
import { idempotentConsumers } from './idempotent_consumers.ts';
import { latencyP99 } from './latency_p99.ts';
import { moneyConserved } from './money_conserved.ts';
import { noDoubleCharge } from './no_double_charge.ts';
import { outboxDrained } from './outbox_drained.ts';
import { outcomes } from './outcomes.ts';
import { outcomesConsistent } from './outcomes_consistent.ts';
import { sagasTerminal } from './sagas_terminal.ts';
import { stockConserved } from './stock_conserved.ts';
import type { Check, CheckContext, CheckResult } from './types.ts';

export const CHECKS: Record<CheckName, Check> = {
  sagas_terminal: sagasTerminal,
  no_double_charge: noDoubleCharge,
  money_conserved: moneyConserved,
  stock_conserved: stockConserved,
  outcomes_consistent: outcomesConsistent,
  outbox_drained: outboxDrained,
  idempotent_consumers: idempotentConsumers,
  latency_p99: latencyP99,
  outcomes,
};

export async function runCheck(spec: CheckSpec, context: Omit<CheckContext, 'spec'>): Promise<CheckResult> {
  try {
    const result = await CHECKS[spec.name]({ ...context, spec });
    return { name: spec.name, ...result };
  } catch (error) {
    return {
      name: spec.name,
      verdict: 'unknown',
      summary: `could not be computed: ${(error as Error).message}`,
      evidence: { total: 0, items: [] },
    };
  }
}

export async function runChecks(
  specs: CheckSpec[],
  context: Omit<CheckContext, 'spec'>,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const spec of specs) results.push(await runCheck(spec, context));
  return results;
}
