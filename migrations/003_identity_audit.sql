-- The organisation, sign-in and the audit trail.

CREATE TABLE departments (
    id         text PRIMARY KEY,
    name       text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('hq', 'branch')),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id            uuid PRIMARY KEY,
    username      text        NOT NULL UNIQUE,
    name          text        NOT NULL,
    department    text        NOT NULL REFERENCES departments (id),
    roles         text[]      NOT NULL,
    password_hash text        NOT NULL DEFAULT '',
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- Bearer tokens: sign-in sessions and API tokens for machines. Only a hash of
-- each token is stored, so a copy of the database signs nobody in.
CREATE TABLE tokens (
    id         uuid PRIMARY KEY,
    user_id    uuid        NOT NULL REFERENCES users (id),
    kind       text        NOT NULL CHECK (kind IN ('session', 'api')),
    name       text        NOT NULL DEFAULT '',
    hash       bytea       NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX tokens_user ON tokens (user_id);

-- Every state-changing request: who, in which role and department, when,
-- what, from where, and how it ended, refusals included. Append-only.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    user_id     text        NOT NULL DEFAULT '',
    username    text        NOT NULL DEFAULT '',
    roles       text[]      NOT NULL DEFAULT '{}',
    department  text        NOT NULL DEFAULT '',
    method      text        NOT NULL,
    route       text        NOT NULL,
    path        text        NOT NULL,
    target      text        NOT NULL DEFAULT '',
    remote_addr text        NOT NULL DEFAULT '',
    status      integer     NOT NULL,
    outcome     text        NOT NULL,
    message     text        NOT NULL DEFAULT '',
    -- The Temporal workflow and update the request became, to find it in the history.
    workflow_id text        NOT NULL DEFAULT '',
    update_id   text        NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_target ON audit_log (target, id DESC);
CREATE INDEX audit_log_user ON audit_log (user_id, id DESC);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
