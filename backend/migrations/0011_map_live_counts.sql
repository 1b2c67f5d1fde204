-- Live one-map counts: every write to persons, houses, buildings and enterprises (an import, an
-- API call, a hand-made UPDATE) appends what it changed to map_cell_deltas in its own transaction,
-- so the map counts a record as soon as it commits. The map reads map_cell_counts plus the deltas;
-- imports (backend/api/map/rollup.py fold_layers) fold the deltas into map_cell_counts.
--
-- Deltas are appended, never updated: an API write never waits for a long import holding the
-- rollup's rows, and two writers never deadlock on a counter. One statement writes one delta row
-- per (layer, key, res-9 cell, org path) it changed, whatever its size (statement-level triggers
-- over transition tables), so a bulk import costs one GROUP BY, not a row per record.

CREATE TABLE map_cell_deltas (
    layer    text NOT NULL,
    key      text NOT NULL DEFAULT '',
    h3_r9    bigint NOT NULL,
    org_path text NOT NULL,
    n        integer NOT NULL CHECK (n <> 0)
);
CREATE INDEX map_cell_deltas_layer ON map_cell_deltas (layer, org_path text_pattern_ops);

-- A fold adds deltas to counts, which may reach zero before the zero row is deleted.
ALTER TABLE map_cell_counts DROP CONSTRAINT map_cell_counts_n_check;
ALTER TABLE map_cell_counts ADD CONSTRAINT map_cell_counts_n_check CHECK (n >= 0);

-- TG_ARGV[0] is the SELECT of (layer, key, address_id, d) over "c", the changed rows of the
-- table with d = +1 for a new row version and -1 for an old one; it must say what
-- backend/api/map/rollup.py ROLLUP_SOURCES says for the same layers. An UPDATE that changes no
-- counted column adds and removes the same item, which the HAVING drops.
CREATE FUNCTION map_count_changes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed text := CASE TG_OP
        WHEN 'INSERT' THEN 'SELECT 1 AS d, r.* FROM new_rows r'
        WHEN 'DELETE' THEN 'SELECT -1 AS d, r.* FROM old_rows r'
        ELSE 'SELECT 1 AS d, r.* FROM new_rows r UNION ALL SELECT -1 AS d, r.* FROM old_rows r'
    END;
BEGIN
    EXECUTE format(
        'WITH c AS (%s) '
        'INSERT INTO map_cell_deltas (layer, key, h3_r9, org_path, n) '
        'SELECT i.layer, i.key, a.h3_r9, a.org_path, sum(i.d) '
        'FROM (%s) i JOIN addresses a ON a.id = i.address_id '
        'GROUP BY 1, 2, 3, 4 HAVING sum(i.d) <> 0',
        changed, TG_ARGV[0]);
    RETURN NULL;
END
$$;

CREATE TRIGGER persons_map_insert AFTER INSERT ON persons
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes(
        'SELECT ''people'' AS layer, '''' AS key, address_id, d FROM c '
        'UNION ALL SELECT ''groups'', unnest(tags), address_id, d FROM c');
CREATE TRIGGER persons_map_update AFTER UPDATE ON persons
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes(
        'SELECT ''people'' AS layer, '''' AS key, address_id, d FROM c '
        'UNION ALL SELECT ''groups'', unnest(tags), address_id, d FROM c');
CREATE TRIGGER persons_map_delete AFTER DELETE ON persons
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes(
        'SELECT ''people'' AS layer, '''' AS key, address_id, d FROM c '
        'UNION ALL SELECT ''groups'', unnest(tags), address_id, d FROM c');

CREATE TRIGGER houses_map_insert AFTER INSERT ON houses
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes(
        'SELECT ''houses'' AS layer, use AS key, address_id, d FROM c '
        'UNION ALL SELECT ''rentals'', coalesce(rental_grade, ''ungraded''), address_id, d FROM c WHERE is_rental');
CREATE TRIGGER houses_map_update AFTER UPDATE ON houses
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes(
        'SELECT ''houses'' AS layer, use AS key, address_id, d FROM c '
        'UNION ALL SELECT ''rentals'', coalesce(rental_grade, ''ungraded''), address_id, d FROM c WHERE is_rental');
CREATE TRIGGER houses_map_delete AFTER DELETE ON houses
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes(
        'SELECT ''houses'' AS layer, use AS key, address_id, d FROM c '
        'UNION ALL SELECT ''rentals'', coalesce(rental_grade, ''ungraded''), address_id, d FROM c WHERE is_rental');

CREATE TRIGGER buildings_map_insert AFTER INSERT ON buildings
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes('SELECT ''buildings'' AS layer, use AS key, address_id, d FROM c');
CREATE TRIGGER buildings_map_update AFTER UPDATE ON buildings
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes('SELECT ''buildings'' AS layer, use AS key, address_id, d FROM c');
CREATE TRIGGER buildings_map_delete AFTER DELETE ON buildings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes('SELECT ''buildings'' AS layer, use AS key, address_id, d FROM c');

CREATE TRIGGER enterprises_map_insert AFTER INSERT ON enterprises
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes('SELECT ''enterprises'' AS layer, industry AS key, address_id, d FROM c');
CREATE TRIGGER enterprises_map_update AFTER UPDATE ON enterprises
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes('SELECT ''enterprises'' AS layer, industry AS key, address_id, d FROM c');
CREATE TRIGGER enterprises_map_delete AFTER DELETE ON enterprises
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes('SELECT ''enterprises'' AS layer, industry AS key, address_id, d FROM c');
