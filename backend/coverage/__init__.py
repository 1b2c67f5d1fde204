"""Coverage gaps (pure): grids holding high-risk patients that no available qualified responder
can reach within a set travel time.

``models`` holds the inputs and answers (msgspec Structs), ``gaps`` the rules: how far to search
for a travel time, the best ETA among candidates, and which grids are gaps. No I/O and no clock:
the caller (``backend/api/coverage``) reads the grids from PostgreSQL and the candidates from the
live position index, then hands them here.
"""
