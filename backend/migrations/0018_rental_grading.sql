-- Rental-housing grading (出租屋分级分类评定). A grid worker inspects a rental house against one
-- checklist ("collect once"); the server scores what was found, grades the house green, yellow
-- or red, and sets the next inspection by grade. Each hazard found is a rectification (整改) with
-- a deadline, for the department it concerns ("share with all departments"); a later inspection
-- that no longer finds it clears it. Ids are chosen by the client, so a retried submission is
-- stored once.
CREATE TABLE rental_assessments (
    id          uuid PRIMARY KEY,
    house_id    text NOT NULL REFERENCES houses (id) ON DELETE CASCADE,
    at          timestamptz NOT NULL,
    tenants     smallint NOT NULL CHECK (tenants BETWEEN 0 AND 500),
    registered  smallint NOT NULL CHECK (registered BETWEEN 0 AND tenants),
    found       text[] NOT NULL,   -- checklist items found, the derived ones included
    factors     text[] NOT NULL,   -- what the block data said (a key person lives here)
    score       smallint NOT NULL,
    grade       text NOT NULL CHECK (grade IN ('green', 'yellow', 'red')),
    notes_enc   bytea,
    org_path    text NOT NULL REFERENCES org_units (path),
    by_user     uuid NOT NULL REFERENCES users (id),
    by_name     text NOT NULL,
    recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rental_assessments_house ON rental_assessments (house_id, at DESC);

-- The latest inspection's verdict, one row per inspected rental house. Never-inspected rental
-- houses keep the grade the block data gave them and have no row here (待评定).
CREATE TABLE rental_status (
    house_id        text PRIMARY KEY REFERENCES houses (id) ON DELETE CASCADE,
    assessment_id   uuid NOT NULL REFERENCES rental_assessments (id),
    grade           text NOT NULL CHECK (grade IN ('green', 'yellow', 'red')),
    last_assessed_at timestamptz NOT NULL,
    due_at          timestamptz NOT NULL,
    org_path        text NOT NULL REFERENCES org_units (path)
);
CREATE INDEX rental_status_scope ON rental_status (org_path text_pattern_ops);
CREATE INDEX rental_status_due ON rental_status (due_at);

CREATE TABLE rental_hazards (
    id            uuid PRIMARY KEY,
    house_id      text NOT NULL REFERENCES houses (id) ON DELETE CASCADE,
    item          text NOT NULL,
    department    text NOT NULL CHECK (department IN ('fire', 'police', 'housing')),
    found_at      timestamptz NOT NULL,
    due_at        timestamptz NOT NULL,
    found_by      uuid NOT NULL REFERENCES rental_assessments (id),
    cleared_at    timestamptz,
    cleared_by    uuid REFERENCES rental_assessments (id),
    org_path      text NOT NULL REFERENCES org_units (path)
);
-- one open rectification of an item per house: found again, it keeps its first deadline
CREATE UNIQUE INDEX rental_hazards_one_open ON rental_hazards (house_id, item) WHERE cleared_at IS NULL;
CREATE INDEX rental_hazards_open_scope ON rental_hazards (org_path text_pattern_ops) WHERE cleared_at IS NULL;
CREATE INDEX rental_hazards_house ON rental_hazards (house_id, found_at DESC);

-- An inspected house's grade is the inspection's: a re-import of the block data that carries
-- the house's old grade must not undo it (the one map's rentals layer reads houses.rental_grade).
CREATE FUNCTION houses_keep_assessed_grade() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    assessed text;
BEGIN
    IF NEW.is_rental AND NEW.rental_grade IS DISTINCT FROM OLD.rental_grade THEN
        SELECT grade INTO assessed FROM rental_status WHERE house_id = NEW.id;
        IF assessed IS NOT NULL THEN
            NEW.rental_grade := assessed;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER houses_keep_assessed_grade BEFORE UPDATE OF rental_grade ON houses
    FOR EACH ROW EXECUTE FUNCTION houses_keep_assessed_grade();
