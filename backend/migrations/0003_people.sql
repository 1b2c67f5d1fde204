-- Persons (block data) and patients under severe-mental-disorder management, with care teams.
-- ID numbers and phone numbers are stored only encrypted (AES-GCM, key id inside the blob) with an
-- HMAC blind index for exact lookup; see backend/security/crypto.py.

CREATE TABLE persons (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    external_id     text UNIQUE,                 -- natural key from the source system (imports)
    name            text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    gender          text CHECK (gender IN ('male', 'female', 'unknown')),
    birth_year      smallint CHECK (birth_year BETWEEN 1900 AND 2100),
    id_number_enc   bytea,
    id_number_idx   bytea,
    phone_enc       bytea,
    phone_idx       bytea,
    address_id      text REFERENCES addresses (id),
    org_path        text NOT NULL REFERENCES org_units (path),
    tags            text[] NOT NULL DEFAULT '{}',  -- special and vulnerable groups (重点人群)
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX persons_org_path ON persons (org_path text_pattern_ops);
CREATE INDEX persons_address ON persons (address_id);
CREATE INDEX persons_id_number_idx ON persons (id_number_idx);
CREATE INDEX persons_phone_idx ON persons (phone_idx);

CREATE TABLE patients (
    person_id           uuid PRIMARY KEY REFERENCES persons (id) ON DELETE CASCADE,
    risk_grade          smallint NOT NULL CHECK (risk_grade BETWEEN 0 AND 5),
    diagnosis           text,
    guardian_name       text,
    guardian_phone_enc  bytea,
    guardian_phone_idx  bytea,
    de_escalation_notes text,
    medication          text,
    managed_since       date,
    last_follow_up_at   timestamptz,
    org_path            text NOT NULL REFERENCES org_units (path),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX patients_org_path ON patients (org_path text_pattern_ops);
CREATE INDEX patients_risk ON patients (risk_grade);

CREATE TABLE care_team_members (
    patient_id uuid NOT NULL REFERENCES patients (person_id) ON DELETE CASCADE,
    user_id    uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('family', 'community_doctor', 'psychiatrist', 'police',
                   'community_staff', 'social_worker', 'civil_affairs', 'disability_federation', 'grid_worker')),
    is_primary boolean NOT NULL DEFAULT false,
    PRIMARY KEY (patient_id, user_id, role)
);
CREATE INDEX care_team_user ON care_team_members (user_id);

-- Time-bounded need-to-know grants: a responder who accepted an incident about a patient may
-- see that patient's details until the incident closes (issued and ended by the incident flow).
CREATE TABLE patient_access_grants (
    patient_id  uuid NOT NULL REFERENCES patients (person_id) ON DELETE CASCADE,
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    incident_id text NOT NULL,
    granted_at  timestamptz NOT NULL DEFAULT now(),
    ended_at    timestamptz,
    PRIMARY KEY (patient_id, user_id, incident_id)
);
CREATE INDEX patient_access_active ON patient_access_grants (user_id, patient_id) WHERE ended_at IS NULL;
