"""What `manage.py serve` changes in its process, behind its settings; importing the application
(as every test does) changes nothing."""

import gc

import pytest
from twisted.internet import tcp

from metaverse import gcpolicy, transport
from metaverse.gcpolicy import FreezeSurvivors
from metaverse.serving import ReasonedWebSocketProtocol, install_process_patches
from metaverse.transport import write_now


def gc_frozen() -> bool:
    return any(isinstance(callback, FreezeSurvivors) for callback in gc.callbacks)


def test_importing_the_application_patches_nothing():
    from metaverse.asgi import application

    assert application is not None
    assert tcp.Connection.write is not write_now
    assert not gc_frozen()
    assert not ReasonedWebSocketProtocol.reads_inline


@pytest.mark.parametrize(
    ("fast_writes", "fast_reads", "freeze"),
    [(True, False, False), (False, True, True), (True, True, True), (False, False, False)],
)
def test_serve_installs_the_patches_its_settings_ask_for(settings, fast_writes, fast_reads, freeze):
    settings.FAST_SOCKET_WRITES, settings.FAST_SOCKET_READS, settings.GC_FREEZE = fast_writes, fast_reads, freeze
    install_process_patches()
    try:
        assert (tcp.Connection.write is write_now) == fast_writes
        assert ReasonedWebSocketProtocol.reads_inline == fast_reads
        assert gc_frozen() == freeze
    finally:
        transport.uninstall()
        gcpolicy.uninstall()
        ReasonedWebSocketProtocol.reads_inline = False
