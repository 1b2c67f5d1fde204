"""``/api/coverage/gaps``: grids with high-risk patients and no available qualified responder
within a travel time, from the live position index (the rules are in ``backend/coverage``)."""
