CREATE TABLE products (
  id uuid PRIMARY KEY,
  sku text NOT NULL UNIQUE,
  name text NOT NULL,
  price_cents bigint NOT NULL CHECK (price_cents > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);
