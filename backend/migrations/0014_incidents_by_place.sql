-- Earlier calls from the same place (backend/incidents/repeats.py) are found by a box around
-- the incident's point: its latitude band narrows them to a sliver of the district, whatever the
-- number of incidents on record.
CREATE INDEX incidents_lat ON incidents (lat);
