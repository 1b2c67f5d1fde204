-- The patients layer of the one map joins the stored counts of migration 0011: counts per
-- (risk grade, res-9 cell of the person's address, the patient's own org path), kept live by
-- statement triggers that append deltas to map_cell_deltas in the writer's transaction.
--
-- A patient's count sits where three tables meet, so three kinds of write move it:
--   * a write to patients (new patient, grade change, another person, another org path, removal);
--   * a write to persons that moves a patient (address change; the person's removal, which
--     removes the patient by ON DELETE CASCADE);
--   * an address whose cell changes: moved by the import before the merge (rollup.py
--     move_addresses), as for the layers of 0011.
-- The key is the grade as text ('0'..'5'); the org path is the patient's (patients.org_path),
-- which is what the map has always filtered the layer on, not the address's.

-- TG_ARGV[0] is the SELECT of (layer, key, address_id, org_path, d) over "c", the changed rows
-- of the table with d = +1 for a new row version and -1 for an old one; unlike
-- map_count_changes the record names its own org path. It must say what
-- backend/api/map/rollup.py ROLLUP_SOURCES says for the same layer.
CREATE FUNCTION map_count_changes_own_org() RETURNS trigger LANGUAGE plpgsql AS $$
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
        'SELECT i.layer, i.key, a.h3_r9, i.org_path, sum(i.d) '
        'FROM (%s) i JOIN addresses a ON a.id = i.address_id '
        'GROUP BY 1, 2, 3, 4 HAVING sum(i.d) <> 0',
        changed, TG_ARGV[0]);
    RETURN NULL;
END
$$;

-- Writes to patients: each patient version at its person's current address. The persons of a
-- patients statement do not change in that statement, so old and new versions both join the
-- persons as they are now. A patient removed by the cascade of its person's removal finds no
-- person here and counts nothing: persons_map_patients_delete below has counted it.
CREATE TRIGGER patients_map_insert AFTER INSERT ON patients
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes_own_org(
        'SELECT ''patients'' AS layer, c.risk_grade::text AS key, p.address_id, c.org_path, c.d '
        'FROM c JOIN persons p ON p.id = c.person_id');
CREATE TRIGGER patients_map_update AFTER UPDATE ON patients
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes_own_org(
        'SELECT ''patients'' AS layer, c.risk_grade::text AS key, p.address_id, c.org_path, c.d '
        'FROM c JOIN persons p ON p.id = c.person_id');
CREATE TRIGGER patients_map_delete AFTER DELETE ON patients
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes_own_org(
        'SELECT ''patients'' AS layer, c.risk_grade::text AS key, p.address_id, c.org_path, c.d '
        'FROM c JOIN persons p ON p.id = c.person_id');

-- A person who is a patient moves: the old and new address of each changed person, with the
-- patient as it is now (patients do not change in a persons statement). A new person is no one's
-- patient yet, so persons need no insert trigger for this layer.
CREATE TRIGGER persons_map_patients_update AFTER UPDATE ON persons
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
    EXECUTE FUNCTION map_count_changes_own_org(
        'SELECT ''patients'' AS layer, pt.risk_grade::text AS key, c.address_id, pt.org_path, c.d '
        'FROM c JOIN patients pt ON pt.person_id = c.id');

-- A person's removal removes their patient row by cascade, and by the time any AFTER trigger
-- runs, the person (for the patients trigger) or the patient (for a persons trigger) is gone.
-- So the patient is uncounted per row, before the person goes. Persons are removed rarely (no
-- import does it); this costs one primary-key probe of patients per removed person.
CREATE FUNCTION map_uncount_patient_of_person() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO map_cell_deltas (layer, key, h3_r9, org_path, n)
    SELECT 'patients', pt.risk_grade::text, a.h3_r9, pt.org_path, -1
    FROM patients pt JOIN addresses a ON a.id = OLD.address_id
    WHERE pt.person_id = OLD.id;
    RETURN OLD;
END
$$;
CREATE TRIGGER persons_map_patients_delete BEFORE DELETE ON persons
    FOR EACH ROW WHEN (OLD.address_id IS NOT NULL)
    EXECUTE FUNCTION map_uncount_patient_of_person();

-- The patients already loaded: counted once here. The triggers above were created first in this
-- transaction and lock both tables against writes until it commits, so no write falls between.
DELETE FROM map_cell_deltas WHERE layer = 'patients';
DELETE FROM map_cell_counts WHERE layer = 'patients';
INSERT INTO map_cell_counts (layer, key, h3_r9, h3_r8, h3_r7, org_path, n)
SELECT 'patients', pt.risk_grade::text, a.h3_r9, h3_parent(a.h3_r9, 8), h3_parent(a.h3_r9, 7),
       pt.org_path, count(*)
FROM patients pt JOIN persons p ON p.id = pt.person_id JOIN addresses a ON a.id = p.address_id
GROUP BY pt.risk_grade, a.h3_r9, pt.org_path;
