-- Transactional outbox: written in the same transaction as the state change, published by the relay.
-- Debezium-compatible columns (id, aggregatetype, aggregateid, type, payload) plus what our relay needs.
CREATE TABLE outbox (
  id uuid PRIMARY KEY,
  seq bigserial NOT NULL UNIQUE,
  aggregatetype text NOT NULL,
  aggregateid text NOT NULL,
  type text NOT NULL,
  topic text NOT NULL,
  payload jsonb NOT NULL,
  headers jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  published_at timestamptz,
  copies_published integer NOT NULL DEFAULT 0
);

-- The relay only ever looks at the backlog: keep that index small.
CREATE INDEX outbox_backlog ON outbox (seq) WHERE published_at IS NULL;
CREATE INDEX outbox_backlog_by_aggregate ON outbox (aggregateid, seq) WHERE published_at IS NULL;

-- Wakes relays (LISTEN outbox) as soon as a transaction that wrote events commits:
-- NOTIFY is transactional, delivered at commit, and identical payloads in one transaction fold into one.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('outbox', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
