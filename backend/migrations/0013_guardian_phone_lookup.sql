-- A patient can be found by the number a call came from: their own phone (persons.phone_idx,
-- indexed since 0003) or their guardian's, which needs its own index on the blind index.
CREATE INDEX patients_guardian_phone_idx ON patients (guardian_phone_idx);
