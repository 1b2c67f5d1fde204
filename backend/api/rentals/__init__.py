"""``/api/rentals``."""
