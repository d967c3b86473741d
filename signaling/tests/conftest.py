"""The signaling tests' people: alice, bob and carol placed in the demo world."""

import pytest

from accounts.models import User
from signaling.tests.helpers import ALICE_X, BOB_FAR_X, place


@pytest.fixture
def lobby(demo_worlds, cookies):
    """alice and bob in the demo Lobby 5 tiles apart (not in contact), carol far off: ids and cookies."""
    people = {}
    for name, x in (("alice", ALICE_X), ("bob", BOB_FAR_X), ("carol", 40.5)):
        cookie = cookies(name)
        user = User.objects.get(username=name)
        place(user, demo_worlds["demo"], x)
        people[name] = (user.pk, cookie)
    return people
