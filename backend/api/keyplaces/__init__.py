"""``/api/map/key-places``: key areas, key facilities, safety posts and receiving hospitals with
their free capacity, inside the caller's jurisdiction."""
