-- One row per physical unit, so "which unit went to which order" is a fact, not a counter.
CREATE TABLE stock_units (
  id bigserial PRIMARY KEY,
  product_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'available' CHECK (status IN ('available', 'reserved', 'sold')),
  order_id uuid,
  produced_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz,
  reserved_at timestamptz,
  sold_at timestamptz,
  released_at timestamptz,
  CHECK ((status = 'available') = (order_id IS NULL))
);

-- Reservation scans the oldest available units of a product.
CREATE INDEX stock_units_available ON stock_units (product_id, produced_at, id) WHERE status = 'available';
CREATE INDEX stock_units_by_order ON stock_units (order_id) WHERE order_id IS NOT NULL;

-- Inventory's view of each saga.
CREATE TABLE reservations (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('pending', 'reserved', 'rejected', 'released', 'consumed', 'cancelled')),
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
