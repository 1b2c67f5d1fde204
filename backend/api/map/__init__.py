"""The one map: counts per H3 cell and per org unit, drill-down to buildings and houses."""
