-- A dispute's parties linked to the people records (当事人关联): so the system can see that a
-- party is a key person (a registered patient of high risk, or someone under community
-- correction or drug rehabilitation), which makes the dispute high-risk.
CREATE TABLE dispute_parties (
    dispute_id  uuid NOT NULL REFERENCES disputes (id) ON DELETE CASCADE,
    person_id   uuid NOT NULL REFERENCES persons (id) ON DELETE CASCADE,
    key_reasons text[] NOT NULL,  -- why the person is a key person when linked ('' none)
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dispute_id, person_id)
);
CREATE INDEX dispute_parties_person ON dispute_parties (person_id);
