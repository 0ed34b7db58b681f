/**
 * sagas_terminal: after settling, every order the run placed is CONFIRMED or CANCELLED, and every
 * order the client was told was accepted exists (an acknowledged order that vanished is a loss).
 */
import { runOrders } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const sagasTerminal: CheckDefinition = {
  name: 'sagas_terminal',
  description:
    'every order the run placed ended CONFIRMED or CANCELLED, and every order the client was told was accepted exists',
  run: (context) => {
    const orders = runOrders(context.snapshot);
    const known = new Set(orders.map((order) => order.id));
    const stuck = orders
      .filter((order) => order.status === 'PENDING')
      .map((order) => ({ order_id: order.id, status: order.status, created_at: order.created_at }));
    const lost = context.operations
      .filter((operation) => operation.outcome === 'ok' && operation.orderId && !known.has(operation.orderId))
      .map((operation) => ({
        order_id: operation.orderId,
        status: 'missing',
        acknowledged_at_ms: operation.end,
      }));
    const problems = [...lost, ...stuck];
    if (problems.length === 0) return valid(`all ${orders.length} orders reached CONFIRMED or CANCELLED`);
    const parts = [
      stuck.length > 0 ? `${stuck.length} of ${orders.length} orders still PENDING` : '',
      lost.length > 0 ? `${lost.length} acknowledged orders missing from the order database` : '',
    ].filter(Boolean);
    return invalid(parts.join('; '), problems);
  },
};
