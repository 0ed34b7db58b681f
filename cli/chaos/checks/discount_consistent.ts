/**
 * discount_consistent: every order placed inside its product's discount window paid the
 * discounted price, none outside it paid less than the list price, and every charge is the
 * order's total (the order, the charge and the catalog agree on the price paid).
 *
 * The window is the catalog's declaration (list price, BakeSchedule) at the lab instant the order
 * was placed (its created_at on the run's lab clock). The quote is taken a moment before the
 * order row is written, so an order within EDGE_REAL_MS of real time (in lab time: that times the
 * clock's speed, at least a lab minute) of a window's edge may carry either price, and no other.
 */
import { discounted, inDiscountWindow } from '../../../common/bakery.ts';
import { LabClock, labTimeOfDay } from '../../../common/clock.ts';
import { runOrders } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

const EDGE_REAL_MS = 2000;
const EDGE_MIN_LAB_MS = 60_000;

export const discountConsistent: CheckDefinition = {
  name: 'discount_consistent',
  description:
    'orders inside a discount window paid the discounted price, none outside it did, and each charge is its order total',
  run: (context) => {
    const { snapshot } = context;
    const clock = snapshot.scope.clock ? LabClock.fromJSON(snapshot.scope.clock) : LabClock.real();
    const edge = Math.max(EDGE_MIN_LAB_MS, EDGE_REAL_MS * clock.speed);
    const products = new Map((snapshot.rows.catalog.products ?? []).map((product) => [product.id, product]));
    const orders = new Map(snapshot.rows.order.orders.map((order) => [order.id, order]));
    const charges = new Map<string, number>();
    for (const payment of snapshot.rows.payment.payments)
      if (payment.kind === 'charge') charges.set(payment.order_id, payment.amount_cents);
    const problems: Array<Record<string, unknown>> = [];
    let discountedLines = 0;
    let lines = 0;
    for (const line of snapshot.rows.order.order_lines) {
      const product = products.get(line.product_id);
      if (!product) continue;
      const order = orders.get(line.order_id);
      if (!order) continue;
      lines++;
      const placedLab = clock.labMs(Date.parse(order.created_at));
      const sale = product.schedule
        ? discounted(product.price_cents, product.schedule.discount_percent)
        : product.price_cents;
      const inside = (at: number) => product.schedule !== null && inDiscountWindow(product.schedule, at);
      const allowed = new Set(
        [placedLab - edge, placedLab, placedLab + edge].map((at) =>
          inside(at) ? sale : product.price_cents,
        ),
      );
      if (line.unit_price_cents === sale && inside(placedLab)) discountedLines++;
      if (!allowed.has(line.unit_price_cents))
        problems.push({
          order: line.order_id,
          sku: line.sku,
          problem: inside(placedLab) ? 'not discounted inside the window' : 'discounted outside the window',
          paid_cents: line.unit_price_cents,
          expected_cents: [...allowed],
          placed_lab_time: new Date(placedLab).toISOString(),
          window: product.schedule?.discount_from
            ? `${product.schedule.discount_from}-${product.schedule.closes}`
            : null,
        });
    }
    for (const order of runOrders(snapshot)) {
      const charged = charges.get(order.id);
      if (charged !== undefined && charged !== order.total_cents)
        problems.push({
          order: order.id,
          problem: 'charge differs from the order total',
          charged_cents: charged,
          total_cents: order.total_cents,
        });
    }
    const capturedLab = labTimeOfDay(clock.labMs(Date.parse(snapshot.capturedAt)));
    if (problems.length === 0)
      return valid(
        `${lines} order lines priced as the catalog declares for their lab time (${discountedLines} at a discount; lab day now ${capturedLab})`,
      );
    return invalid(
      `${problems.length} prices disagree (${[...new Set(problems.map((problem) => problem.problem))].join('; ')})`,
      problems,
    );
  },
};
