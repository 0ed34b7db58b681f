CREATE TABLE accounts (
  customer_id uuid PRIMARY KEY,
  balance_cents bigint NOT NULL DEFAULT 0 CHECK (balance_cents >= 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Every credit from outside, so money can be audited: sum(top_ups) = balances + charges - refunds.
CREATE TABLE top_ups (
  id bigserial PRIMARY KEY,
  customer_id uuid NOT NULL REFERENCES accounts,
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE payments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL,
  customer_id uuid NOT NULL,
  kind text NOT NULL CHECK (kind IN ('charge', 'refund')),
  amount_cents bigint NOT NULL CHECK (amount_cents > 0),
  -- false only with --without inbox, which switches off the duplicate guards to show what they prevent
  guarded boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- At most one charge and one refund per order, whatever the code does.
CREATE UNIQUE INDEX payments_one_charge_per_order ON payments (order_id) WHERE kind = 'charge' AND guarded;
CREATE UNIQUE INDEX payments_one_refund_per_order ON payments (order_id) WHERE kind = 'refund' AND guarded;
CREATE INDEX payments_by_order ON payments (order_id);

-- Payment's view of each saga.
CREATE TABLE payment_orders (
  order_id uuid PRIMARY KEY,
  status text NOT NULL CHECK (status IN ('pending', 'captured', 'declined', 'refunded', 'cancelled')),
  reason text,
  updated_at timestamptz NOT NULL DEFAULT now()
);
