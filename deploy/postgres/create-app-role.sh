#!/bin/sh
# Runs once, when the postgres container initialises an empty data directory. It creates the role the
# gateway connects as: a login without SUPERUSER or BYPASSRLS, so row-level security binds it (the
# gateway refuses to start in production as a role that escapes it), with DML rights on the tables the
# migrations (run as the owner, POSTGRES_USER) will create.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_password="$CRM_APP_PASSWORD" <<'SQL'
CREATE ROLE crm_gateway_app LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"DBNAME" TO crm_gateway_app;
GRANT USAGE ON SCHEMA public TO crm_gateway_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO crm_gateway_app;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO crm_gateway_app;
SQL
