"""``/api/governance``."""
