-- LOA Portal on PostgreSQL: a migration role and an application role.
--
-- loaportal_owner  owns the schema, the tables and the audit trail's triggers; it runs
--                  `loaportal migrate` (and `loaportal verify_audit`) and nothing else.
-- loaportal_app    is what the web server and the worker connect as: SELECT, INSERT, UPDATE
--                  and DELETE on the tables, nothing more. Not owning the audit table, it
--                  cannot ALTER it, DISABLE TRIGGER, DROP TRIGGER or TRUNCATE it; not being a
--                  superuser, it cannot SET session_replication_role.
--
-- Run once per database, as a superuser, connected to the portal's database:
--     psql -v ON_ERROR_STOP=1 -d loaportal -f scripts/postgresql-roles.sql
-- then give both roles a password (\password loaportal_owner, \password loaportal_app) and
-- set DATABASE_URL to loaportal_owner's for `migrate`, to loaportal_app's for the portal.
-- Safe to run again; on a database already migrated by another role, it hands the existing
-- tables and sequences over to loaportal_owner. On a fresh database run it before the first
-- `migrate` and once more after it (to take UPDATE and DELETE on the audit table away). Tested by tests/audit/test_postgresql_roles.py.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loaportal_owner') THEN
        CREATE ROLE loaportal_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'loaportal_app') THEN
        CREATE ROLE loaportal_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
    END IF;
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO loaportal_owner, loaportal_app',
                   current_database());
END
$$;

-- The owner creates and alters the tables; the application may only use them.
ALTER SCHEMA public OWNER TO loaportal_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO loaportal_app;

-- Tables and sequences that already exist (a database migrated before this split).
DO $$
DECLARE
    item record;
BEGIN
    FOR item IN
        SELECT c.relname, c.relkind FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm')
        -- a sequence that belongs to a column follows its table
        AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                        AND d.objid = c.oid AND d.deptype IN ('a', 'i'))
    LOOP
        IF item.relkind = 'S' THEN
            EXECUTE format('ALTER SEQUENCE public.%I OWNER TO loaportal_owner', item.relname);
        ELSE
            EXECUTE format('ALTER TABLE public.%I OWNER TO loaportal_owner', item.relname);
        END IF;
    END LOOP;
END
$$;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO loaportal_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO loaportal_app;

-- Tables and sequences `migrate` creates later, as loaportal_owner.
ALTER DEFAULT PRIVILEGES FOR ROLE loaportal_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO loaportal_app;
ALTER DEFAULT PRIVILEGES FOR ROLE loaportal_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO loaportal_app;

-- The audit trail is append-only for the application, by privilege as well as by trigger.
-- (On a fresh database, run this script again after the first `migrate` for this part.)
DO $$
BEGIN
    IF to_regclass('public.audit_auditevent') IS NOT NULL THEN
        REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM loaportal_app;
        ALTER FUNCTION public.audit_auditevent_append_only() OWNER TO loaportal_owner;
    END IF;
END
$$;
