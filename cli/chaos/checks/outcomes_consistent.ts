/**
 * outcomes_consistent: every service agrees on how each finished order ended.
 * CONFIRMED ⇔ exactly one charge (of the order's total) and no refund ⇔ its units sold (as many as
 * its lines) ⇔ exactly one shipment. CANCELLED ⇔ no net charge, no unit held, no shipment.
 * PENDING orders are left to sagas_terminal.
 */
import { runOrders } from './scope.ts';
import { type Check, evidence } from './types.ts';

export const outcomesConsistent: Check = async (context) => {
  const orders = (await runOrders(context)).filter((order) => order.status !== 'PENDING');
  const ids = orders.map((order) => order.id);
  const { rows: payments } = await context.databases.payment.query<{
    order_id: string;
    charges: number;
    refunds: number;
    charged: number;
    refunded: number;
  }>(
    `SELECT order_id::text,
            count(*) FILTER (WHERE kind = 'charge')::int AS charges,
            count(*) FILTER (WHERE kind = 'refund')::int AS refunds,
            coalesce(sum(amount_cents) FILTER (WHERE kind = 'charge'), 0)::float8 AS charged,
            coalesce(sum(amount_cents) FILTER (WHERE kind = 'refund'), 0)::float8 AS refunded
       FROM payments WHERE order_id::text = ANY($1::text[]) GROUP BY order_id`,
    [ids],
  );
  const { rows: units } = await context.databases.inventory.query<{
    order_id: string;
    reserved: number;
    sold: number;
  }>(
    `SELECT order_id::text, count(*) FILTER (WHERE status = 'reserved')::int AS reserved,
            count(*) FILTER (WHERE status = 'sold')::int AS sold
       FROM stock_units WHERE order_id::text = ANY($1::text[]) GROUP BY order_id`,
    [ids],
  );
  const { rows: shipments } = await context.databases.shipping.query<{ order_id: string; shipments: number }>(
    `SELECT order_id::text, count(*)::int AS shipments FROM shipments
      WHERE order_id::text = ANY($1::text[]) GROUP BY order_id`,
    [ids],
  );
  const paymentsOf = new Map(payments.map((row) => [row.order_id, row]));
  const unitsOf = new Map(units.map((row) => [row.order_id, row]));
  const shipmentsOf = new Map(shipments.map((row) => [row.order_id, row.shipments]));

  const problems: Array<Record<string, unknown>> = [];
  let confirmed = 0;
  let cancelled = 0;
  for (const order of orders) {
    const paid = paymentsOf.get(order.id) ?? { charges: 0, refunds: 0, charged: 0, refunded: 0 };
    const held = unitsOf.get(order.id) ?? { reserved: 0, sold: 0 };
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
      else if (paid.charged !== order.total_cents) wrong.push('captured amount differs from the order total');
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
    return {
      verdict: 'valid',
      summary: `${confirmed} confirmed and ${cancelled} cancelled orders agree across order, payment, inventory and shipping`,
      evidence: evidence([]),
    };
  return {
    verdict: 'invalid',
    summary: `${problems.length} of ${orders.length} finished orders disagree across services`,
    evidence: evidence(problems),
  };
};
