-- Roles for a production hub database. Run as a superuser, then `hub migrate` as hub_owner.
CREATE ROLE hub_owner LOGIN;
CREATE ROLE hub_app LOGIN;
CREATE DATABASE hub OWNER hub_owner;
\connect hub
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hub_app;
ALTER DEFAULT PRIVILEGES FOR ROLE hub_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO hub_app;
-- After migrating: the audit is append-only for the app. It may insert events and seal them,
-- never delete or rewrite their content.
-- REVOKE UPDATE, DELETE ON disclosure_events FROM hub_app;
-- GRANT UPDATE (sealed_seq, chain_hash) ON disclosure_events TO hub_app;
