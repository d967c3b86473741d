"""Freezing what survives a full collection, and thawing it every period."""

import gc
import weakref

import pytest

from metaverse import gcpolicy
from metaverse.gcpolicy import FreezeSurvivors


@pytest.fixture
def clean_freeze():
    gc.unfreeze()
    yield
    gc.unfreeze()


def test_survivors_of_a_full_collection_are_frozen_until_the_period_ends(clean_freeze):
    now = [100.0]
    policy = FreezeSurvivors(thaw_seconds=600, clock=lambda: now[0])
    kept = [{"a": [1]} for _ in range(1000)]
    policy("start", {"generation": 2})
    policy("stop", {"generation": 1})  # younger collections change nothing
    assert gc.get_freeze_count() == 0
    policy("stop", {"generation": 2})
    frozen = gc.get_freeze_count()
    assert frozen >= len(kept)
    now[0] += 599
    policy("stop", {"generation": 2})
    assert gc.get_freeze_count() >= frozen
    now[0] += 2  # the period is over: everything goes back to the collector
    policy("stop", {"generation": 2})
    assert gc.get_freeze_count() == 0
    now[0] += 1
    policy("stop", {"generation": 2})  # and the collection after that freezes again
    assert gc.get_freeze_count() >= len(kept)


def test_frozen_cycles_wait_for_the_thaw(clean_freeze):
    class Node:
        other: "Node"

    first, second = Node(), Node()
    first.other, second.other = second, first
    alive = weakref.ref(first)
    gc.freeze()
    del first, second
    gc.collect()
    assert alive() is not None  # out of the collector's reach
    gc.unfreeze()
    gc.collect()
    assert alive() is None


def test_install_freezes_what_is_loaded_and_uninstall_gives_it_all_back(clean_freeze):
    policy = gcpolicy.install()
    try:
        assert policy in gc.callbacks
        assert gc.get_freeze_count() > 0
    finally:
        gcpolicy.uninstall()
    assert not [callback for callback in gc.callbacks if isinstance(callback, FreezeSurvivors)]
    assert gc.get_freeze_count() == 0
