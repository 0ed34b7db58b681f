/**
 * The check registry: every check is one file exporting its definition (name, description,
 * parameters, function); this list is the only place that names them all. The runner turns a
 * check that throws into `unknown`, never a crash.
 */
import type { CheckName, CheckSpec } from '../schema.ts';
import { acknowledgedOrdersDurable } from './acknowledged_orders_durable.ts';
import { discountConsistent } from './discount_consistent.ts';
import { dlqAccounted } from './dlq_accounted.ts';
import { eventOrderPerAggregate } from './event_order_per_aggregate.ts';
import { idempotentConsumers } from './idempotent_consumers.ts';
import { latencyP99 } from './latency_p99.ts';
import { moneyConserved } from './money_conserved.ts';
import { noDoubleCharge } from './no_double_charge.ts';
import { noLostEvent } from './no_lost_event.ts';
import { noStaleSold } from './no_stale_sold.ts';
import { outboxDrained } from './outbox_drained.ts';
import { outcomes } from './outcomes.ts';
import { outcomesConsistent } from './outcomes_consistent.ts';
import { readModelConverges } from './read_model_converges.ts';
import { sagasTerminal } from './sagas_terminal.ts';
import { stockConserved } from './stock_conserved.ts';
import type { CheckContext, CheckDefinition, CheckResult } from './types.ts';

export const CHECK_DEFINITIONS: readonly CheckDefinition[] = [
  sagasTerminal,
  noDoubleCharge,
  moneyConserved,
  stockConserved,
  outcomesConsistent,
  outboxDrained,
  idempotentConsumers,
  noStaleSold,
  discountConsistent,
  latencyP99,
  outcomes,
  acknowledgedOrdersDurable,
  eventOrderPerAggregate,
  noLostEvent,
  dlqAccounted,
  readModelConverges,
];

export const CHECKS = Object.fromEntries(
  CHECK_DEFINITIONS.map((definition) => [definition.name, definition]),
) as Record<CheckName, CheckDefinition>;

export function runCheck(spec: CheckSpec, context: Omit<CheckContext, 'spec'>): CheckResult {
  try {
    const definition = CHECKS[spec.name];
    if (!definition) throw new Error(`no check is named ${spec.name}`);
    return { name: spec.name, ...definition.run({ ...context, spec }) };
  } catch (error) {
    return {
      name: spec.name,
      verdict: 'unknown',
      summary: `could not be computed: ${(error as Error).message}`,
      evidence: { total: 0, items: [] },
    };
  }
}

/** Every check `unknown` for one reason (the rows could not be captured at all). */
export function unknownChecks(specs: CheckSpec[], reason: string): CheckResult[] {
  return specs.map((spec) => ({
    name: spec.name,
    verdict: 'unknown',
    summary: `could not be computed: ${reason}`,
    evidence: { total: 0, items: [] },
  }));
}

export function runChecks(specs: CheckSpec[], context: Omit<CheckContext, 'spec'>): CheckResult[] {
  return specs.map((spec) => runCheck(spec, context));
}
