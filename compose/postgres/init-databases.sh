#!/usr/bin/env bash
# Sourced by the postgres image's entrypoint on first start: one login role and one database per
# service, owned by that role and closed to every other role (as the local runtime does).
set -euo pipefail
for service in ${LAB_DATABASES:-auth catalog inventory order payment shipping search}; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname postgres \
    -v role="$service" -v password="${LAB_DB_PASSWORD:-lab}" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE CONNECT ON DATABASE :"role" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"role" TO :"role";
SQL
done
