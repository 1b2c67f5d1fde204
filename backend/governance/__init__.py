"""The leaders' one table of the governance work: per unit, what each service has outstanding."""
