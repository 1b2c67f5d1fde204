-- Block data on the unified address: buildings, houses (with rental grading), enterprises,
-- governance events, key places; address search columns; the one-map rollup.
-- Every record carries an address id, and through it an H3 cell and an org unit (org_path is
-- copied from the address at import so jurisdiction filters need no join).

-- Address matching: the normalised text and its token bigrams (backend/api/places/normalise.py),
-- a GIN index over the bigrams, and each bigram's document frequency so a query can start from
-- its rarest bigrams. Rows imported before this migration get them on their next import.
ALTER TABLE addresses ADD COLUMN norm_text text, ADD COLUMN grams text[] NOT NULL DEFAULT '{}';
CREATE INDEX addresses_grams ON addresses USING gin (grams);
CREATE INDEX addresses_norm_text ON addresses (norm_text);

CREATE TABLE address_grams (
    gram text PRIMARY KEY,
    df   integer NOT NULL CHECK (df >= 0)
);

CREATE TABLE buildings (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    address_id  text NOT NULL UNIQUE REFERENCES addresses (id),
    name        text CHECK (length(name) <= 200),
    use         text NOT NULL CHECK (use IN ('residential', 'village', 'commercial', 'industrial', 'mixed', 'public')),
    floors      smallint CHECK (floors BETWEEN 1 AND 200),
    built_year  smallint CHECK (built_year BETWEEN 1900 AND 2100),
    org_path    text NOT NULL REFERENCES org_units (path),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX buildings_org_path ON buildings (org_path text_pattern_ops);

-- A house (房屋) is one unit of a building with its own address. Rental houses are graded by
-- risk (出租屋分级分类): green (ordinary), yellow (watch), red (key management).
CREATE TABLE houses (
    id           text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    building_id  text NOT NULL REFERENCES buildings (id),
    address_id   text NOT NULL UNIQUE REFERENCES addresses (id),
    floor        smallint CHECK (floor BETWEEN -10 AND 200),
    area_m2      real CHECK (area_m2 > 0 AND area_m2 < 100000),
    use          text NOT NULL CHECK (use IN ('residence', 'dormitory', 'shop', 'office', 'other')),
    is_rental    boolean NOT NULL DEFAULT false,
    rental_grade text CHECK (rental_grade IN ('green', 'yellow', 'red')),
    org_path     text NOT NULL REFERENCES org_units (path),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (rental_grade IS NULL OR is_rental)
);
CREATE INDEX houses_building ON houses (building_id);
CREATE INDEX houses_org_path ON houses (org_path text_pattern_ops);

-- Legal persons (法人): the unified social credit code is the natural key.
CREATE TABLE enterprises (
    id            text PRIMARY KEY CHECK (id ~ '^[0-9A-Z]{18}$'),
    name          text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    industry      text NOT NULL CHECK (industry IN ('manufacturing', 'retail', 'catering', 'logistics', 'construction', 'services', 'chemicals', 'other')),
    employees     integer CHECK (employees BETWEEN 0 AND 1000000),
    hazardous     boolean NOT NULL DEFAULT false,
    registered_on date,
    address_id    text NOT NULL REFERENCES addresses (id),
    org_path      text NOT NULL REFERENCES org_units (path),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprises_org_path ON enterprises (org_path text_pattern_ops);
CREATE INDEX enterprises_address ON enterprises (address_id);

-- Governance events of the world (not incident events): disputes, hotline and police calls,
-- complaints, hazards. H3 cells are copied from the address for the map.
CREATE TABLE block_events (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    type        text NOT NULL CHECK (type IN ('dispute', 'hotline', 'police', 'complaint', 'hazard')),
    occurred_at timestamptz NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'handling', 'closed')),
    summary     text CHECK (length(summary) <= 500),
    source      text CHECK (length(source) <= 64),
    address_id  text NOT NULL REFERENCES addresses (id),
    org_path    text NOT NULL REFERENCES org_units (path),
    h3_r7       bigint NOT NULL,
    h3_r8       bigint NOT NULL,
    h3_r9       bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX block_events_time ON block_events (occurred_at);
CREATE INDEX block_events_address ON block_events (address_id, occurred_at);
CREATE INDEX block_events_org_path ON block_events (org_path text_pattern_ops);

-- Key places of the one map: key areas, key facilities (components), safety posts and receiving
-- hospitals (with bed capacity; psychiatric ones take severe-mental-disorder emergencies).
CREATE TABLE key_places (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_.-]{1,64}$'),
    kind        text NOT NULL CHECK (kind IN ('key_area', 'key_facility', 'safety_post', 'hospital')),
    category    text CHECK (length(category) <= 64),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    h3_r9       bigint NOT NULL,
    capacity    integer CHECK (capacity BETWEEN 0 AND 100000),
    psychiatric boolean NOT NULL DEFAULT false,
    address_id  text NOT NULL REFERENCES addresses (id),
    org_path    text NOT NULL REFERENCES org_units (path),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX key_places_org_path ON key_places (org_path text_pattern_ops);

-- The parent of an H3 cell (as bigint) at a coarser resolution, by bit arithmetic: set the
-- resolution field (bits 52-55) and fill the digits below it with 7. Used so that every map count
-- at res 7 and 8 is exactly the sum of its res-9 children (a point's res-12 cell and its res-9
-- cell need not share a parent, so stored h3_r7/h3_r8 of addresses are not used for the map).
CREATE FUNCTION h3_parent(cell bigint, res integer) RETURNS bigint
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN (cell & ~(15::bigint << 52)) | (res::bigint << 52) | ((1::bigint << (3 * (15 - res))) - 1);

-- The one-map rollup: counts per (layer, key, res-9 cell, grid), rebuilt per layer by each
-- import that changes the layer (backend/api/map/rollup.py). Parents at res 8 and 7 ride along.
-- Only counts live here, never identities.
CREATE TABLE map_cell_counts (
    layer    text NOT NULL,
    key      text NOT NULL DEFAULT '',
    h3_r9    bigint NOT NULL,
    h3_r8    bigint NOT NULL,
    h3_r7    bigint NOT NULL,
    org_path text NOT NULL,
    n        integer NOT NULL CHECK (n > 0),
    PRIMARY KEY (layer, key, h3_r9, org_path)
);
CREATE INDEX map_cell_counts_org_path ON map_cell_counts (org_path text_pattern_ops);
