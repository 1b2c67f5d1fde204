-- Accounts, sessions (refresh-token families) and the tamper-evident audit log.

CREATE TABLE users (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    username      text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{3,64}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    password_hash text NOT NULL,
    org_path      text NOT NULL REFERENCES org_units (path),
    roles         text[] NOT NULL CHECK (cardinality(roles) > 0),
    capabilities  text[] NOT NULL DEFAULT '{}',
    failed_logins integer NOT NULL DEFAULT 0,
    locked_until  timestamptz,
    disabled      boolean NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_username ON users (username);
CREATE INDEX users_org_path ON users (org_path text_pattern_ops);

-- One row per login: the family of refresh tokens issued from it. Revoking the session ends
-- every token of the family, and access tokens carrying its id stop working within seconds.
CREATE TABLE auth_sessions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz,
    revoke_reason text,
    user_agent  text
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

CREATE TABLE refresh_tokens (
    token_hash  bytea PRIMARY KEY,            -- sha256 of the token; the token itself is never stored
    session_id  uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    issued_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz                   -- set when rotated; a second use means theft
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Append-only. Each row's hash is an HMAC (key outside the database) over the previous row's hash
-- and its own content, so an edit or deletion by hand breaks the chain at that row.
CREATE TABLE audit_log (
    seq         bigint PRIMARY KEY,
    at          timestamptz NOT NULL,
    actor_id    uuid,
    actor_name  text,
    action      text NOT NULL,
    object_type text,
    object_id   text,
    org_path    text,
    outcome     text NOT NULL CHECK (outcome IN ('ok', 'denied', 'failed')),
    reason      text,
    request_id  text,
    details     jsonb NOT NULL DEFAULT '{}',
    prev_hash   bytea NOT NULL,
    hash        bytea NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_actor ON audit_log (actor_id, at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id, at);
CREATE INDEX audit_log_org ON audit_log (org_path text_pattern_ops);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
