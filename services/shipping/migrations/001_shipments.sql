-- Exactly one shipment per confirmed order: the unique order_id makes a second one impossible.
CREATE TABLE shipments (
  id uuid PRIMARY KEY,
  order_id uuid NOT NULL UNIQUE,
  customer_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled')),
  created_at timestamptz NOT NULL DEFAULT now()
);
