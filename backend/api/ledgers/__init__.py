"""``/api/ledgers``: special and vulnerable groups (特殊人群困难群体台账)."""
