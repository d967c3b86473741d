"""Nothing to administer: signaling has no models (see models.py). Moderators act on players in
the admin's user and presence lists (moderation/admin_people.py)."""
