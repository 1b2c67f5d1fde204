-- The transactional outbox: a state change and the event announcing it commit together; the
-- relay (one leader at a time) publishes committed rows to Redis Streams, numbering them per
-- stream in the order it publishes.

CREATE TABLE outbox (
    id           bigserial PRIMARY KEY,
    district     text NOT NULL,           -- stream partition: the district the event belongs to
    stream       text NOT NULL CHECK (stream IN ('incidents', 'personal')),
    kind         text NOT NULL,           -- e.g. incident.created, assignment.offered
    org_path     text,                    -- for jurisdiction filtering of subscribers
    subject      text,                    -- incident id, or the user id of a personal message
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz,
    seq          bigint                   -- the stream sequence it was published under (last time)
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
CREATE INDEX outbox_published_at ON outbox (published_at) WHERE published_at IS NOT NULL;

-- Wake the relay at once instead of waiting for its next poll.
CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('pingan_outbox', '');
    RETURN NULL;
END
$$;
CREATE TRIGGER outbox_notify AFTER INSERT ON outbox FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();
