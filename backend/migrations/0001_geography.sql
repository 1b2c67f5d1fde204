-- The jurisdiction tree (org units) and the unified standard address registry.
-- Every record of the system links to an address, hence to an H3 cell and an org unit.

CREATE TABLE org_units (
    path        text PRIMARY KEY CHECK (path ~ '^[0-9]+(\.[0-9]+)*$'),
    parent_path text REFERENCES org_units (path),
    level       text NOT NULL CHECK (level IN ('district', 'street', 'community', 'grid')),
    name_zh     text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 200),
    name_en     text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 200),
    boundary    jsonb,                -- GeoJSON geometry derived from (or polyfilled to) its cells
    center_lat  double precision CHECK (center_lat BETWEEN -90 AND 90),
    center_lon  double precision CHECK (center_lon BETWEEN -180 AND 180),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((parent_path IS NULL) = (level = 'district')),
    CHECK (parent_path IS NULL OR path LIKE parent_path || '.%')
);
-- Jurisdiction filters are prefix matches on the path: text_pattern_ops lets LIKE 'x.%' use it.
CREATE INDEX org_units_path_prefix ON org_units (path text_pattern_ops);
CREATE INDEX org_units_parent ON org_units (parent_path);

-- Each H3 cell (resolution 9, as a bigint) belongs to exactly one grid.
CREATE TABLE grid_cells (
    cell      bigint PRIMARY KEY,
    grid_path text NOT NULL REFERENCES org_units (path) ON DELETE CASCADE
);
CREATE INDEX grid_cells_grid ON grid_cells (grid_path);

CREATE TABLE addresses (
    id          text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 500),
    lat         double precision NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon         double precision NOT NULL CHECK (lon BETWEEN -180 AND 180),
    h3_r7       bigint NOT NULL,
    h3_r8       bigint NOT NULL,
    h3_r9       bigint NOT NULL,
    h3_r12      bigint NOT NULL,
    building_id text,
    org_path    text NOT NULL REFERENCES org_units (path),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX addresses_org_path ON addresses (org_path text_pattern_ops);
CREATE INDEX addresses_h3_r9 ON addresses (h3_r9);
CREATE INDEX addresses_building ON addresses (building_id);
