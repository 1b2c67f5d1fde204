-- After-action archives (处置档案) of closed incidents, and review notes (复盘).
-- An archive is rebuilt while unreviewed; once reviewed it is frozen, and notes only append.

CREATE TABLE incident_archives (
    incident_id  text PRIMARY KEY REFERENCES incidents (id),
    built_at     timestamptz NOT NULL DEFAULT now(),
    data         jsonb NOT NULL,
    reviewed_at  timestamptz,
    reviewed_by  uuid REFERENCES users (id)
);

CREATE FUNCTION incident_archives_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.reviewed_at IS NOT NULL THEN
        RAISE EXCEPTION 'archive % is reviewed and cannot change', OLD.incident_id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER incident_archives_no_change_after_review BEFORE UPDATE OR DELETE ON incident_archives
    FOR EACH ROW EXECUTE FUNCTION incident_archives_frozen();

CREATE TABLE archive_notes (
    id          bigserial PRIMARY KEY,
    incident_id text NOT NULL REFERENCES incident_archives (incident_id),
    at          timestamptz NOT NULL DEFAULT now(),
    author_id   uuid REFERENCES users (id),
    author_name text NOT NULL,
    text        text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000)
);
CREATE INDEX archive_notes_incident ON archive_notes (incident_id, id);
CREATE TRIGGER archive_notes_append_only BEFORE UPDATE OR DELETE ON archive_notes
    FOR EACH ROW EXECUTE FUNCTION incident_events_append_only();
