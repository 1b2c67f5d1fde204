-- Psychological services (社会心理服务) on three levels: community stations record assessments,
-- sessions and activities; streets and the district issue work instructions down and receive
-- monthly reports up. Ids of records are chosen by the client, so a retried submission is
-- stored once.

-- A filled-in screening scale. The answers are health data: sealed like the other personal
-- fields; the total, band and self-harm finding stay readable, because the unit figures and the
-- crisis rule are computed from them.
CREATE TABLE psych_assessments (
    id          uuid PRIMARY KEY,
    person_id   uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    scale       text NOT NULL CHECK (scale IN ('phq9', 'gad7')),
    answers_enc bytea NOT NULL,
    score       smallint NOT NULL CHECK (score BETWEEN 0 AND 27),
    band        text NOT NULL CHECK (band IN ('minimal', 'mild', 'moderate', 'moderately_severe', 'severe')),
    self_harm   boolean NOT NULL,
    at          timestamptz NOT NULL,
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    org_path    text NOT NULL REFERENCES org_units (path),  -- the person's unit when assessed
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX psych_assessments_person ON psych_assessments (person_id, at DESC);
CREATE INDEX psych_assessments_scope ON psych_assessments (org_path text_pattern_ops, at);

-- A counselling session or a crisis intervention (危机干预).
CREATE TABLE psych_services (
    id          uuid PRIMARY KEY,
    person_id   uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('counselling', 'crisis_intervention')),
    at          timestamptz NOT NULL,
    minutes     smallint NOT NULL CHECK (minutes BETWEEN 1 AND 600),
    outcome     text NOT NULL CHECK (outcome IN ('continue', 'closed', 'referred_psychiatry',
                                                 'referred_hospital', 'incident_raised')),
    notes_enc   bytea,
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    org_path    text NOT NULL REFERENCES org_units (path),
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX psych_services_person ON psych_services (person_id, at DESC);
CREATE INDEX psych_services_scope ON psych_services (org_path text_pattern_ops, at);

-- Talks, groups and screening days of a centre (宣传教育、活动开展): no person is named.
CREATE TABLE psych_activities (
    id          uuid PRIMARY KEY,
    org_path    text NOT NULL REFERENCES org_units (path),
    kind        text NOT NULL CHECK (kind IN ('education', 'group_activity', 'screening', 'training')),
    title       text NOT NULL,
    at          timestamptz NOT NULL,
    attendees   integer NOT NULL CHECK (attendees BETWEEN 0 AND 100000),
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX psych_activities_scope ON psych_activities (org_path text_pattern_ops, at);

-- A work instruction (工作指示) from a street or district centre, and each target unit's answer
-- (反馈).
CREATE TABLE psych_instructions (
    id         uuid PRIMARY KEY,
    from_path  text NOT NULL REFERENCES org_units (path),
    by_user    uuid NOT NULL REFERENCES users (id),
    by_name    text NOT NULL,
    title      text NOT NULL,
    body       text NOT NULL,
    due_at     timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX psych_instructions_from ON psych_instructions (from_path, created_at DESC);

CREATE TABLE psych_instruction_targets (
    instruction_id   uuid NOT NULL REFERENCES psych_instructions (id) ON DELETE CASCADE,
    org_path         text NOT NULL REFERENCES org_units (path),
    state            text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done')),
    feedback         text,
    answered_by      uuid REFERENCES users (id),
    answered_by_name text,
    answered_at      timestamptz,
    PRIMARY KEY (instruction_id, org_path)
);
CREATE INDEX psych_instruction_targets_unit ON psych_instruction_targets (org_path);

-- A unit's monthly report up (上报): the figures as they stood when it was sent. One per unit
-- and month.
CREATE TABLE psych_reports (
    org_path          text NOT NULL REFERENCES org_units (path),
    period            text NOT NULL CHECK (period ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
    id                uuid NOT NULL UNIQUE,
    figures           jsonb NOT NULL,
    comment           text,
    submitted_by      uuid NOT NULL REFERENCES users (id),
    submitted_by_name text NOT NULL,
    submitted_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_path, period)
);
