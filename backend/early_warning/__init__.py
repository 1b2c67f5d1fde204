"""Early warnings (预警): rules that collide data sets to surface a problem before anyone reports
it, and the record of each finding until it is resolved ("one warning, all move")."""
