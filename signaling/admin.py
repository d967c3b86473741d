"""Nothing to administer: signaling has no models (see models.py). Moderators act on players in
the world and accounts admin."""
