"""``/api/psych``: psychological services (社会心理服务)."""
