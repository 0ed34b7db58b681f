-- Finishing a saga updates its order once (status, reason, timestamps). Nothing reads orders by
-- status through an index, and an index whose predicate names status made every such update write
-- new index entries; without it, and with room left on each page, the update is a HOT update
-- (same page, no index writes).
DROP INDEX orders_pending;
ALTER TABLE orders SET (fillfactor = 85);
