-- Idempotent consumer: one row per (consumer, event) received, upserted in the handler's transaction.
CREATE TABLE inbox (
  consumer text NOT NULL,
  event_id uuid NOT NULL,
  event_type text NOT NULL,
  topic text NOT NULL,
  deliveries integer NOT NULL DEFAULT 1,
  applied integer NOT NULL DEFAULT 1,
  first_seen_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (consumer, event_id)
);
