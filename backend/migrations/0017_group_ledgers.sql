-- Ledgers of special and vulnerable groups (特殊人群困难群体台账). A ledger entry registers one
-- person with one group's department, names who answers for them, and is kept true by checks
-- (走访核查), each due a group's interval after the last. Ids are chosen by the client, so a
-- retried submission is stored once.
CREATE TABLE ledger_entries (
    id              uuid PRIMARY KEY,
    person_id       uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    grp             text NOT NULL CHECK (grp IN ('low_income', 'disabled', 'elderly_alone',
                        'left_behind_child', 'veteran', 'released_prisoner',
                        'community_correction', 'drug_rehab')),
    status          text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed')),
    since           date NOT NULL,
    officer_id      uuid REFERENCES users (id),
    check_days      smallint NOT NULL CHECK (check_days BETWEEN 1 AND 366),
    last_check_at   timestamptz,
    due_at          timestamptz NOT NULL,
    needs_help      boolean NOT NULL DEFAULT false,  -- the latest check found a need not yet met
    org_path        text NOT NULL REFERENCES org_units (path),
    notes_enc       bytea,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_by_name text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    close_reason    text
);
-- one live registration of a person per group
CREATE UNIQUE INDEX ledger_entries_one_active ON ledger_entries (person_id, grp) WHERE status = 'active';
CREATE INDEX ledger_entries_scope ON ledger_entries (org_path text_pattern_ops) WHERE status = 'active';
CREATE INDEX ledger_entries_due ON ledger_entries (due_at) WHERE status = 'active';

CREATE TABLE ledger_checks (
    id          uuid PRIMARY KEY,
    entry_id    uuid NOT NULL REFERENCES ledger_entries (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('home_visit', 'phone', 'report_in', 'office')),
    finding     text NOT NULL CHECK (finding IN ('normal', 'needs_help', 'violation')),
    notes_enc   bytea,
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ledger_checks_entry ON ledger_checks (entry_id, at DESC);
