-- A writer whose relay claims the rows right after its COMMIT, on the same connection, says so with
-- SET LOCAL lab.outbox_claimed_on_commit = 'on' (Relay.claimOnCommit in kit/relay.ts): no relay needs waking
-- then, and one woken would only find the rows claimed. Every other insert notifies as before.
CREATE OR REPLACE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('lab.outbox_claimed_on_commit', true) IS DISTINCT FROM 'on' THEN
    PERFORM pg_notify('outbox', '');
  END IF;
  RETURN NULL;
END;
$$;
