#!/usr/bin/env bash
# One login role and one database per service, owned by that role and closed to every other role
# (as the local runtime does). Idempotent, because it runs twice over: the postgres image sources
# it on the volume's first start, and the health check runs it on every later start, so a database
# a newer lab adds is created on a volume an older one made (the image runs init scripts only once).
set -euo pipefail
for service in ${LAB_DATABASES:-auth catalog inventory order payment shipping search}; do
  printf '\\set role %s\n' "$service"
  cat <<'SQL'
SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', :'role', :'password')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
SELECT statement FROM unnest(ARRAY[
  format('CREATE DATABASE %I OWNER %I', :'role', :'role'),
  format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', :'role'),
  format('GRANT CONNECT ON DATABASE %I TO %I', :'role', :'role')
]) WITH ORDINALITY AS s(statement, step)
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'role') ORDER BY step \gexec
SQL
done | psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --quiet \
  --dbname postgres -v password="${LAB_DB_PASSWORD:-lab}" >/dev/null
