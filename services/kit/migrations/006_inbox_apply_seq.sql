-- The order in which each consumer applied events: a number drawn when an event's inbox row is first
-- written, in the handler's transaction (event_order_per_aggregate compares it with publish order).
-- A copy updates the row and keeps its number: the first application is the one that counts.
ALTER TABLE inbox ADD COLUMN apply_seq bigserial;
