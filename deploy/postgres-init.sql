-- Run once by the postgres image, when its volume is empty (/docker-entrypoint-initdb.d/), as the
-- superuser, in the database POSTGRES_DB (compose.yaml: tenant_mesh). It makes two roles:
--
--   tenant_mesh_owner  owns the database, so it owns the schema `public` (PostgreSQL 15: the
--                      schema belongs to pg_database_owner) and every table the migrations make.
--                      Only the one-shot `migrate` and `grants` services connect as it.
--   tenant_mesh_app    what the dashboards connect as (with database_migrate = false): no DDL, and
--                      on the tables only what server/migrations/postgres/grants.sql gives it,
--                      after each migration (compose.yaml's `grants` service).
--
-- The passwords come from the container's environment (psql 15's \getenv), never from this file.
-- They go into postgres:// URLs unencoded: use URL-safe ones (openssl rand -hex 24).
\set ON_ERROR_STOP on

\getenv owner_password TENANTMESH_OWNER_PASSWORD
\getenv app_password TENANTMESH_APP_PASSWORD
\if :{?owner_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'TENANTMESH_OWNER_PASSWORD is not set'; END $$;
\endif
\if :{?app_password}
\else
  DO $$ BEGIN RAISE EXCEPTION 'TENANTMESH_APP_PASSWORD is not set'; END $$;
\endif

SELECT current_database() AS db \gset

CREATE ROLE tenant_mesh_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE tenant_mesh_app LOGIN PASSWORD :'app_password';

ALTER DATABASE :"db" OWNER TO tenant_mesh_owner;
-- Nobody else may connect or make temporary tables; the app role may connect.
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO tenant_mesh_app;
-- Objects only by the owner (PostgreSQL 15's default, said again); the app role may use the schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO tenant_mesh_app;

-- Why no ALTER DEFAULT PRIVILEGES here: default privileges are per object type, so the app role
-- would get UPDATE and DELETE on the audit tables too (left to their append-only triggers alone) and
-- write access to the migration history. The tables only exist after `tenant-mesh --migrate`, so
-- grants.sql gives them table by table then, the audit tables SELECT and INSERT only.
