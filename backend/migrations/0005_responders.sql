-- Responders (the dispatchable side of a user account) and their sampled position tracks.

CREATE TABLE responders (
    user_id            uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    team               text CHECK (length(team) <= 100),
    mode               text NOT NULL DEFAULT 'vehicle' CHECK (mode IN ('on_foot', 'vehicle')),
    duty_status        text NOT NULL DEFAULT 'off_duty' CHECK (duty_status IN
                           ('off_duty', 'available', 'offered', 'assigned', 'en_route', 'on_scene', 'busy')),
    status_changed_at  timestamptz NOT NULL DEFAULT now(),
    -- Bumped on every status change: two nodes competing for one responder compare-and-set on it.
    status_version     bigint NOT NULL DEFAULT 0,
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX responders_duty ON responders (duty_status);

-- At most one row per responder per sampling interval, plus every status change; for replay
-- in after-action archives and coverage analysis. Pruned by the retention job.
CREATE TABLE position_tracks (
    responder_id uuid NOT NULL REFERENCES responders (user_id) ON DELETE CASCADE,
    at           timestamptz NOT NULL,
    lat          double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon          double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    accuracy_m   real,
    speed_mps    real,
    heading_deg  real,
    status       text NOT NULL,
    PRIMARY KEY (responder_id, at)
);
CREATE INDEX position_tracks_at ON position_tracks (at);
