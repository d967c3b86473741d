"""Reads for the accounts app: whose sessions are whose."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

SESSION_SCAN_CHUNK = 2000


def sessions_of(*, user_ids: set[int]) -> dict[int, list[str]]:
    """The stored sessions logged in as these users, by user. Sessions are not indexed by user:
    each is decoded once (a few microseconds each), so this reads the whole table."""
    if not user_ids:
        return {}
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    wanted = {str(user_id) for user_id in user_ids}
    found: dict[int, list[str]] = {}
    rows = Session.objects.values_list("session_key", "session_data").iterator(chunk_size=SESSION_SCAN_CHUNK)
    for key, data in rows:
        user_id = store.decode(data).get(SESSION_KEY)
        if user_id in wanted:
            found.setdefault(int(user_id), []).append(key)
    return found
