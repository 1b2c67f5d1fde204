-- Follow-up visits of patients (随访) and the early warnings that rules raise (预警).
--
-- A visit is one shared record for the whole care team ("one visit, shared by all"). Its id is
-- chosen by the client, so a visit sent twice (a retry on a bad network) is stored once.
CREATE TABLE follow_ups (
    id          uuid PRIMARY KEY,
    patient_id  uuid NOT NULL REFERENCES patients (person_id) ON DELETE CASCADE,
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    at          timestamptz NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('home_visit', 'phone', 'clinic', 'outreach')),
    condition   text NOT NULL CHECK (condition IN ('stable', 'basically_stable', 'unstable')),
    risk_grade  smallint NOT NULL CHECK (risk_grade BETWEEN 0 AND 5),
    medication  text NOT NULL CHECK (medication IN ('regular', 'irregular', 'none')),
    notes_enc   bytea,
    next_due_at timestamptz NOT NULL,
    org_path    text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX follow_ups_patient ON follow_ups (patient_id, at DESC);

-- The next visit the latest one asked for (sooner than the grade's interval when the patient
-- was unstable). NULL until a visit is recorded through the API: the due date then follows
-- from the last visit on record and the grade alone.
ALTER TABLE patients ADD COLUMN follow_up_due_at timestamptz;

-- A rule's finding about one subject. At most one live (not resolved) warning per rule and
-- subject, so every node may run the rules at once and each finding is raised once.
CREATE TABLE early_warnings (
    id              bigserial PRIMARY KEY,
    rule            text NOT NULL,
    subject_type    text NOT NULL,
    subject_id      text NOT NULL,
    org_path        text NOT NULL,
    level           text NOT NULL CHECK (level IN ('warning', 'serious')),
    raised_at       timestamptz NOT NULL DEFAULT now(),
    details         jsonb NOT NULL DEFAULT '{}',
    state           text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'acknowledged', 'resolved')),
    acknowledged_by uuid REFERENCES users (id),
    acknowledged_at timestamptz,
    ack_note        text,
    resolved_at     timestamptz,
    resolution      text
);
CREATE UNIQUE INDEX early_warnings_one_live ON early_warnings (rule, subject_id) WHERE state <> 'resolved';
CREATE INDEX early_warnings_live_scope ON early_warnings (org_path text_pattern_ops) WHERE state <> 'resolved';
CREATE INDEX early_warnings_raised ON early_warnings (raised_at DESC);
