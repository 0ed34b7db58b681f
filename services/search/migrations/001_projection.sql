-- The read side's own store (services/search/projection.ts): facts learned from events, never
-- derived state, so the answer does not depend on the order the events arrived in.

-- One row per catalog product: what its latest catalog event said (catalog events of one product
-- share a partition, so they arrive in order and the last one applied is the one in force).
CREATE TABLE products (
  product_id uuid PRIMARY KEY,
  sku text NOT NULL,
  name text NOT NULL,
  price_cents bigint NOT NULL,
  list_price_cents bigint NOT NULL,
  discount_percent int NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per stock unit, created by whichever of its events comes first. Each column is a fact
-- that, once set, stays set.
CREATE TABLE units (
  unit_id bigint PRIMARY KEY,
  product_id uuid NOT NULL,
  produced boolean NOT NULL DEFAULT false,
  produced_at timestamptz NULL,
  expires_at timestamptz NULL,
  expired_at timestamptz NULL,
  discarded_at timestamptz NULL
);
CREATE INDEX units_product ON units (product_id);

-- Per unit and order: what that order's saga did with the unit. A hold is live while reserved and
-- neither released nor consumed; consumed means sold for good.
CREATE TABLE unit_holds (
  unit_id bigint NOT NULL,
  order_id uuid NOT NULL,
  reserved boolean NOT NULL DEFAULT false,
  released boolean NOT NULL DEFAULT false,
  consumed boolean NOT NULL DEFAULT false,
  PRIMARY KEY (unit_id, order_id)
);

-- The last offset applied per partition, written in the applying transaction: the exact half of
-- the lag measurement (services/search/lag.ts).
CREATE TABLE projection_offsets (
  topic text NOT NULL,
  partition int NOT NULL,
  "offset" bigint NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (topic, partition)
);

-- This store's incarnation: it names the consumer group, so an empty store replays from offset 0.
CREATE TABLE projection_state (
  id int PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  consumer_group text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
