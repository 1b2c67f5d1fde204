-- Incidents, their append-only event log, assignments of responders, and durable timers.

CREATE SEQUENCE incident_numbers;

CREATE TABLE incidents (
    id               text PRIMARY KEY,             -- INC-YYYYMMDD-NNNNN, readable on the wall
    kind             text NOT NULL,
    priority         smallint NOT NULL CHECK (priority BETWEEN 1 AND 5),
    state            text NOT NULL CHECK (state IN
                         ('new', 'dispatching', 'responding', 'on_scene', 'resolved', 'closed', 'cancelled')),
    address_id       text REFERENCES addresses (id),
    address_text     text,
    lat              double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon              double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    org_path         text NOT NULL REFERENCES org_units (path),
    patient_id       uuid REFERENCES patients (person_id),
    description      text,
    reporter         jsonb NOT NULL DEFAULT '{}',
    source           text NOT NULL CHECK (source IN ('console', 'field', 'integration')),
    violent          boolean NOT NULL DEFAULT false,
    flags            text[] NOT NULL DEFAULT '{}',
    playbook_id      text NOT NULL,
    playbook_version integer NOT NULL,
    run_state        jsonb NOT NULL,               -- the engine's RunState, incl. the playbook it started with
    checklists       jsonb NOT NULL DEFAULT '{}',  -- role -> items required on scene
    outcome          text,
    version          bigint NOT NULL DEFAULT 0,
    created_by       uuid REFERENCES users (id),
    idempotency_key  text,
    request_hash     bytea,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz
);
CREATE UNIQUE INDEX incidents_idempotency ON incidents (created_by, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX incidents_org_path ON incidents (org_path text_pattern_ops);
CREATE INDEX incidents_live ON incidents (state) WHERE state NOT IN ('closed', 'cancelled');
CREATE INDEX incidents_created ON incidents (created_at);

CREATE TABLE incident_events (
    id          bigserial PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incidents (id),
    at          timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_id    uuid,
    actor_name  text,
    kind        text NOT NULL,
    data        jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX incident_events_incident ON incident_events (incident_id, id);

CREATE FUNCTION incident_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'incident_events is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER incident_events_no_change BEFORE UPDATE OR DELETE ON incident_events
    FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();

CREATE TABLE assignments (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    incident_id   text NOT NULL REFERENCES incidents (id),
    responder_id  uuid NOT NULL REFERENCES responders (user_id),
    role          text NOT NULL,
    step_id       text NOT NULL,
    state         text NOT NULL CHECK (state IN
                      ('offered', 'accepted', 'declined', 'expired', 'withdrawn', 'en_route', 'on_scene',
                       'cleared', 'released')),
    manual        boolean NOT NULL DEFAULT false,
    distance_m    double precision,
    eta_s         double precision,
    reasons       text[] NOT NULL DEFAULT '{}',
    reason        text,                          -- decline / release reason
    offered_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz,
    accepted_at   timestamptz,
    en_route_at   timestamptz,
    on_scene_at   timestamptz,
    ended_at      timestamptz,
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- A responder holds at most one live assignment: the database itself refuses a second offer.
CREATE UNIQUE INDEX assignments_one_live_per_responder ON assignments (responder_id)
    WHERE state IN ('offered', 'accepted', 'en_route', 'on_scene');
CREATE INDEX assignments_incident ON assignments (incident_id);

-- Durable timers. Claimed with FOR UPDATE SKIP LOCKED; a firing is recorded in timer_firings,
-- whose primary key proves each timer fired at most once across all nodes.
CREATE TABLE timers (
    id           text PRIMARY KEY,
    incident_id  text NOT NULL REFERENCES incidents (id),
    kind         text NOT NULL CHECK (kind IN ('engine', 'offer')),
    purpose      text NOT NULL,
    subject      text,                           -- the assignment id of an offer timer
    due_at       timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    fired_at     timestamptz,
    cancelled_at timestamptz
);
CREATE INDEX timers_due ON timers (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL;

CREATE TABLE timer_firings (
    timer_id  text PRIMARY KEY REFERENCES timers (id),
    fired_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    late_ms   double precision NOT NULL,
    node      text NOT NULL
);
