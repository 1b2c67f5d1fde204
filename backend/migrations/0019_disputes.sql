-- Dispute screening and mediation (矛盾纠纷排查调处), worked up and down the comprehensive-
-- governance centres (综治中心上下协同联动). A dispute happens somewhere (org_path: the address's
-- grid, or the unit that registered it) and is held by one centre at a time (holder_path): a
-- community that cannot settle it escalates it to its street, a street to the district; a centre
-- above may hand it down to a unit on the way to where it happened, with a deadline. Every step
-- is an action in the dispute's history. Ids are chosen by the client, so a retry is stored once.
CREATE TABLE disputes (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('neighbour', 'family', 'labour', 'property',
                        'land', 'consumer', 'traffic', 'other')),
    title           text NOT NULL CHECK (length(title) BETWEEN 2 AND 100),
    details_enc     bytea,
    parties         integer NOT NULL CHECK (parties BETWEEN 2 AND 100000),
    risk            text NOT NULL CHECK (risk IN ('low', 'medium', 'high')),
    source          text NOT NULL CHECK (source IN ('screening', 'hotline', 'walk_in', 'grid', 'referral')),
    address_id      text REFERENCES addresses (id),
    org_path        text NOT NULL REFERENCES org_units (path),
    holder_path     text NOT NULL REFERENCES org_units (path),
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'mediating', 'resolved', 'referred')),
    outcome         text CHECK (outcome IN ('agreement', 'withdrawn', 'court', 'arbitration', 'petition', 'other')),
    reported_at     timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    created_by      uuid NOT NULL REFERENCES users (id),
    created_by_name text NOT NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    closed_at       timestamptz,
    CHECK ((status IN ('resolved', 'referred')) = (outcome IS NOT NULL AND closed_at IS NOT NULL))
);
CREATE INDEX disputes_scope ON disputes (org_path text_pattern_ops);
CREATE INDEX disputes_holder ON disputes (holder_path text_pattern_ops) WHERE status IN ('open', 'mediating');
CREATE INDEX disputes_due ON disputes (due_at) WHERE status IN ('open', 'mediating');

CREATE TABLE dispute_actions (
    id          uuid PRIMARY KEY,
    dispute_id  uuid NOT NULL REFERENCES disputes (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('registered', 'mediation', 'escalated', 'assigned',
                    'resolved', 'referred', 'risk')),
    at          timestamptz NOT NULL,
    from_path   text,
    to_path     text,
    risk        text CHECK (risk IN ('low', 'medium', 'high')),
    outcome     text,
    due_at      timestamptz,
    notes_enc   bytea,
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dispute_actions_dispute ON dispute_actions (dispute_id, at, recorded_at);

-- 排查: each unit's screening of a week, reported even when it found nothing (零报告).
CREATE TABLE dispute_screenings (
    org_path    text NOT NULL REFERENCES org_units (path),
    week        text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
    found       integer NOT NULL CHECK (found BETWEEN 0 AND 10000),
    notes       text CHECK (length(notes) <= 500),
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_path, week)
);
