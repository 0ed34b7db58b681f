-- The bakery day: units leave sale stale (expired) or at closing (discarded), and the oven bakes
-- on the lab clock from the schedules catalog publishes. Every time in this database is lab time.
ALTER TABLE stock_units DROP CONSTRAINT stock_units_status_check;
ALTER TABLE stock_units DROP CONSTRAINT stock_units_check;
ALTER TABLE stock_units
  ADD CONSTRAINT stock_units_status_check
    CHECK (status IN ('available', 'reserved', 'sold', 'expired', 'discarded')),
  ADD CONSTRAINT stock_units_held_by_order CHECK ((status IN ('reserved', 'sold')) = (order_id IS NOT NULL)),
  -- When the unit is thrown out at the end of its day (null: stock added by hand is kept).
  ADD COLUMN discard_at timestamptz,
  ADD COLUMN expired_at timestamptz,
  ADD COLUMN discarded_at timestamptz;

-- The sweep and the throw-out look for available units past a time.
CREATE INDEX stock_units_expiring ON stock_units (expires_at) WHERE status = 'available' AND expires_at IS NOT NULL;
CREATE INDEX stock_units_closing ON stock_units (discard_at) WHERE status = 'available' AND discard_at IS NOT NULL;

-- What the oven learned from catalog (ProductScheduled): one schedule per product.
CREATE TABLE bake_schedules (
  product_id uuid PRIMARY KEY,
  schedule jsonb NOT NULL,
  -- The oven bakes the batches due from this lab instant on (never the ones before it learned).
  learned_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);

-- One row per batch baked: the batch's lab instant is its identity, so a restart or a second tick
-- never bakes the same batch twice, and batches missed while inventory was down are baked late.
CREATE TABLE oven_batches (
  product_id uuid NOT NULL,
  batch_at timestamptz NOT NULL,
  units int NOT NULL,
  PRIMARY KEY (product_id, batch_at)
);
