import type { FastEventWriter, OutboxRowsCte } from '../kit/fast/outbox.ts';
import { type HistoryEntry, historyOfOwn, type OrderRow, orderPlaced, type PlaceOrder } from './saga.ts';

/**
 * The fast kit's form of placing an order (saga.ts, placeOrder), used only by `--kit fast`: the
 * row, the lines, OrderPlaced in the outbox and in the history are one statement (one statement is
 * atomic), one round trip instead of a transaction's four.
 */
/** The parameters $2..$7 of the statement that places an order (its id is $1): its history entry. */
function historyParams(entry: HistoryEntry): unknown[] {
  return [entry.eventId, entry.type, entry.topic, entry.producer, entry.occurredAt, entry.payload];
}

const place = (outboxRows: OutboxRowsCte) => `
  WITH ${outboxRows(14)},
  placed AS (
    INSERT INTO orders (id, customer_id, status, total_cents) VALUES ($1, $8, 'PENDING', $9) RETURNING *
  ),
  lines AS (
    INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, unit_price_cents)
    SELECT $1::uuid, n, product_id, sku, quantity, unit_price_cents
    FROM unnest($10::uuid[], $11::text[], $12::int[], $13::bigint[])
      WITH ORDINALITY AS l(product_id, sku, quantity, unit_price_cents, n)
  ),
  recorded AS (
    INSERT INTO order_history (order_id, event_id, event_type, topic, producer, occurred_at, payload)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
  )
  SELECT * FROM placed`;

export const fastPlaceOrder: PlaceOrder<FastEventWriter> = async (writer, context, order) => {
  const rows = await writer.statement<OrderRow>(context, [orderPlaced(order)], ([event], outboxRows) => ({
    text: place(outboxRows),
    values: [
      order.id,
      ...historyParams(historyOfOwn(event!)),
      order.customerId,
      order.totalCents,
      order.lines.map((line) => line.product_id),
      order.lines.map((line) => line.sku),
      order.lines.map((line) => line.quantity),
      order.lines.map((line) => line.unit_price_cents),
    ],
  }));
  return rows[0]!;
};
