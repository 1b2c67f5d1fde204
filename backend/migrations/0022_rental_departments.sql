-- The rental departments' own accounts: fire and housing join the departments (public security
-- acts on the police items), and a department may sign off a rectification it has verified on
-- site (整改销号) instead of waiting for the next inspection to no longer find it.
ALTER TABLE users DROP CONSTRAINT users_department_check;
ALTER TABLE users ADD CONSTRAINT users_department_check CHECK (
    department IN (
        'civil_affairs', 'disability_federation', 'veterans_affairs', 'justice',
        'public_security', 'fire', 'housing'
    )
);

ALTER TABLE rental_hazards
    ADD COLUMN signoff_id        uuid UNIQUE,   -- the client's id of the sign-off: a resend is one
    ADD COLUMN signed_off_by     uuid REFERENCES users (id),
    ADD COLUMN signed_off_name   text,
    ADD COLUMN signoff_notes_enc bytea;         -- sealed like every note
