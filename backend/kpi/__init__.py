"""KPIs of the emergency loop: time to alert, accept and arrive, incidents opened and closed.

``models`` holds the answers (msgspec Structs), ``buckets`` the pure calendar and assembly
rules, ``queries`` the SQL that computes the figures (percentiles in PostgreSQL) for one
jurisdiction. The definitions are in docs/kpi.md.
"""
