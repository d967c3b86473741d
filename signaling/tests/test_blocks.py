"""A block ends a live contact at once on both sides and keeps the two apart while they stay
close; lifting it lets them talk again. Through the blocks API, the bus and the real sockets."""

import asyncio

import pytest
from channels.db import database_sync_to_async

from accounts.models import User
from chat.services import block_create, block_remove
from conftest import receive_until
from signaling.tests.helpers import BOB_NEAR_X, enter, in_contact, place
from world.engine.hub import get_hub

pytestmark = pytest.mark.timeout(60)


async def test_blocking_someone_in_contact_hangs_up_both_sides_and_keeps_them_apart(lobby):
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    await in_contact(alice, bob)
    alice_user = await User.objects.aget(pk=alice.id)
    try:
        await database_sync_to_async(block_create)(blocker=alice_user, blocked=await User.objects.aget(pk=bob.id))
        for player, other in ((alice, bob), (bob, alice)):
            hangup = await receive_until(player.signal, "hangup", timeout=3)
            assert (hangup["from"], hangup["reason"]) == (other.id, "contact_ended")
            contacts = await receive_until(player.world, "contacts", timeout=3)
            assert (contacts["removed"], contacts["contacts"]) == ([other.id], [])
        # Still standing side by side: no contact comes back, and a message to the other is refused.
        await alice.signal.send_json_to({"type": "hangup", "to": bob.id})
        refused = await receive_until(alice.signal, "error", timeout=3)
        assert (refused["code"], refused["to"]) == ("not_in_contact", bob.id)
        await database_sync_to_async(block_remove)(blocker=alice_user, blocked_id=bob.id)
        added = await receive_until(bob.world, "contacts", timeout=3)
        assert added["added"] == [alice.id]
    finally:
        await alice.leave()
        await bob.leave()


async def test_a_block_made_before_arriving_keeps_two_neighbours_apart_from_the_first_tick(lobby, demo_worlds):
    alice_user, bob_user = await User.objects.aget(pk=lobby["alice"][0]), await User.objects.aget(pk=lobby["bob"][0])
    await database_sync_to_async(block_create)(blocker=bob_user, blocked=alice_user)
    await database_sync_to_async(place)(bob_user, demo_worlds["demo"], BOB_NEAR_X)  # within the talk radius
    alice = await enter(lobby["alice"][1])
    bob = await enter(lobby["bob"][1])
    try:
        engine = get_hub().engines[demo_worlds["demo"].pk]
        assert engine.players[bob.id].avoids == {alice.id}  # read with the rest of the arrival
        await asyncio.sleep(0.5)  # a few contact passes
        assert engine.contacts == {}
        assert bob.ready["contacts"] == []
    finally:
        await alice.leave()
        await bob.leave()
