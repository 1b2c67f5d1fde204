-- Web Push subscriptions (RFC 8030/8291 with VAPID), tied to the login session that made them:
-- logging out ends the session and so removes them.

CREATE TABLE push_subscriptions (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    endpoint    text NOT NULL UNIQUE CHECK (length(endpoint) <= 2000),
    p256dh      text NOT NULL CHECK (length(p256dh) <= 200),
    auth        text NOT NULL CHECK (length(auth) <= 100),
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_ok_at  timestamptz,
    failures    integer NOT NULL DEFAULT 0
);
CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id);
