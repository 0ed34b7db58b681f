/**
 * outcomes_consistent: every service agrees on how each finished order ended.
 * CONFIRMED ⇔ exactly one charge (of the order's total) and no refund ⇔ its units sold (as many as
 * its lines) ⇔ exactly one shipment. CANCELLED ⇔ no net charge, no unit held, no shipment.
 * PENDING orders are left to sagas_terminal.
 */
import { countInto, runOrders } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const outcomesConsistent: CheckDefinition = {
  name: 'outcomes_consistent',
  description:
    'order, payment, inventory and shipping agree on each finished order: confirmed = one charge, units sold, one shipment; cancelled = nothing kept',
  run: (context) => {
    const { rows } = context.snapshot;
    const orders = runOrders(context.snapshot).filter((order) => order.status !== 'PENDING');
    const paymentsOf = new Map<
      string,
      { charges: number; refunds: number; charged: number; refunded: number }
    >();
    for (const payment of rows.payment.payments) {
      const paid = paymentsOf.get(payment.order_id) ?? { charges: 0, refunds: 0, charged: 0, refunded: 0 };
      if (payment.kind === 'charge') {
        paid.charges++;
        paid.charged += payment.amount_cents;
      } else {
        paid.refunds++;
        paid.refunded += payment.amount_cents;
      }
      paymentsOf.set(payment.order_id, paid);
    }
    const reservedOf = new Map<string, number>();
    const soldOf = new Map<string, number>();
    for (const unit of rows.inventory.stock_units) {
      if (unit.order_id === null) continue;
      if (unit.status === 'reserved') countInto(reservedOf, unit.order_id);
      if (unit.status === 'sold') countInto(soldOf, unit.order_id);
    }
    const shipmentsOf = new Map<string, number>();
    for (const shipment of rows.shipping.shipments) countInto(shipmentsOf, shipment.order_id);

    const problems: Array<Record<string, unknown>> = [];
    let confirmed = 0;
    let cancelled = 0;
    for (const order of orders) {
      const paid = paymentsOf.get(order.id) ?? { charges: 0, refunds: 0, charged: 0, refunded: 0 };
      const held = { reserved: reservedOf.get(order.id) ?? 0, sold: soldOf.get(order.id) ?? 0 };
      const shipped = shipmentsOf.get(order.id) ?? 0;
      const quantity = order.lines.reduce((sum, line) => sum + line.quantity, 0);
      const facts = {
        order_id: order.id,
        status: order.status,
        total_cents: order.total_cents,
        charges: paid.charges,
        refunds: paid.refunds,
        net_charged_cents: paid.charged - paid.refunded,
        units_reserved: held.reserved,
        units_sold: held.sold,
        quantity,
        shipments: shipped,
      };
      const wrong: string[] = [];
      if (order.status === 'CONFIRMED') {
        confirmed++;
        if (paid.charges !== 1 || paid.refunds !== 0) wrong.push('not exactly one capture');
        else if (paid.charged !== order.total_cents)
          wrong.push('captured amount differs from the order total');
        if (held.sold !== quantity || held.reserved !== 0)
          wrong.push('units sold differ from the ordered quantity');
        if (shipped !== 1) wrong.push(shipped === 0 ? 'no shipment' : 'more than one shipment');
      } else {
        cancelled++;
        if (paid.charged !== paid.refunded) wrong.push('charged but not refunded');
        if (held.reserved + held.sold > 0) wrong.push('units still held');
        if (shipped > 0) wrong.push('shipped although cancelled');
      }
      if (wrong.length > 0) problems.push({ ...facts, problem: wrong.join(', ') });
    }
    if (problems.length === 0)
      return valid(
        `${confirmed} confirmed and ${cancelled} cancelled orders agree across order, payment, inventory and shipping`,
      );
    return invalid(
      `${problems.length} of ${orders.length} finished orders disagree across services`,
      problems,
    );
  },
};
