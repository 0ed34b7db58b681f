/**
 * acknowledged_orders_durable: every order the gateway acknowledged (202 in the client history)
 * exists afterwards and reached CONFIRMED or CANCELLED. An acknowledgement is a promise that the
 * order was committed; a database that lost a commit in a crash (synchronous_commit off, fsync
 * off, a lying disk) breaks it: the client was told "accepted" about an order that is gone.
 */
import { runOrders } from './scope.ts';
import { type CheckDefinition, evidence } from './types.ts';

const ACCEPTED = 202;

export const acknowledgedOrdersDurable: CheckDefinition = {
  name: 'acknowledged_orders_durable',
  description: 'every order acknowledged with a 202 still exists after the run, CONFIRMED or CANCELLED',
  optIn: true,
  run: (context) => {
    const orders = new Map(runOrders(context.snapshot).map((order) => [order.id, order]));
    const acknowledged = context.operations.filter(
      (operation) => operation.status === ACCEPTED && operation.orderId !== undefined,
    );
    const problems = acknowledged.flatMap((operation) => {
      const order = orders.get(operation.orderId!);
      if (order && order.status !== 'PENDING') return [];
      return [
        {
          order_id: operation.orderId,
          problem: order
            ? 'acknowledged but still PENDING'
            : 'acknowledged but missing from the order database',
          acknowledged_at_ms: operation.end,
          operation: operation.index,
        },
      ];
    });
    if (problems.length === 0)
      return {
        verdict: 'valid',
        summary: `all ${acknowledged.length} acknowledged orders exist and finished`,
        evidence: evidence([]),
      };
    const missing = problems.filter((problem) => problem.problem.includes('missing')).length;
    return {
      verdict: 'invalid',
      summary: `${problems.length} of ${acknowledged.length} acknowledged orders ${missing === problems.length ? 'are missing' : `are missing (${missing}) or unfinished (${problems.length - missing})`}`,
      evidence: evidence(problems),
    };
  },
};
