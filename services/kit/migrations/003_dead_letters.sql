-- Messages a consumer gave up on after bounded retries (also published to <topic>.dlq).
CREATE TABLE dead_letters (
  id bigserial PRIMARY KEY,
  consumer text NOT NULL,
  topic text NOT NULL,
  partition integer NOT NULL,
  "offset" text NOT NULL,
  event_id text,
  event_type text,
  key text,
  error text NOT NULL,
  attempts integer NOT NULL,
  value text,
  created_at timestamptz NOT NULL DEFAULT now()
);
