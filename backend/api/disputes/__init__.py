"""``/api/disputes``."""
