-- A dead letter is kept byte for byte: poison is often not text at all (a NUL byte cannot go into a
-- text column, and failing to record the letter would block the partition behind it).
ALTER TABLE dead_letters
  ALTER COLUMN key TYPE bytea USING convert_to(key, 'UTF8'),
  ALTER COLUMN value TYPE bytea USING convert_to(value, 'UTF8');
