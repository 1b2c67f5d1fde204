"""``/api/kpi``: the KPIs of the emergency loop for the wall and the leader view."""
