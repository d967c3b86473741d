"""Twisted's TCP connection with `write_now`: a real socket pair and a real (unstarted) reactor;
and installing it, which the tests' own process never does unless a test asks."""

import socket

import pytest
from twisted.internet import abstract, tcp
from twisted.internet.protocol import Protocol
from twisted.internet.selectreactor import SelectReactor

from metaverse import transport
from metaverse.transport import TwistedChanged, write_now


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    ours.setblocking(False)
    reactor = SelectReactor()
    connection = tcp.Connection(ours, Protocol(), reactor)
    connection.connected = 1
    yield connection, theirs, reactor
    ours.close()
    theirs.close()


def read_all(peer: socket.socket, size: int) -> bytes:
    peer.settimeout(2)
    data = b""
    while len(data) < size:
        data += peer.recv(size - len(data))
    return data


def test_with_nothing_queued_the_bytes_leave_at_once(pair):
    connection, peer, reactor = pair
    write_now(connection, b"tick 1")
    write_now(connection, b"tick 2")
    assert read_all(peer, 12) == b"tick 1tick 2"  # no reactor turn was needed
    assert connection not in reactor.getWriters()


def test_what_the_socket_cannot_take_is_queued_in_order(pair):
    connection, peer, reactor = pair
    big = bytes(range(256)) * 16_384  # 4 MiB: more than the socket buffers hold
    write_now(connection, big)
    assert connection._tempDataBuffer
    assert connection in reactor.getWriters()
    write_now(connection, b"after")  # must not overtake the queued bytes
    received = bytearray()
    peer.settimeout(2)
    while len(received) < len(big) + 5:
        received += peer.recv(1 << 20)
        connection.doWrite()
    assert bytes(received) == big + b"after"
    assert connection not in reactor.getWriters()


def test_a_broken_connection_is_left_to_twisted_to_report(pair):
    connection, peer, reactor = pair
    peer.close()
    write_now(connection, b"x" * 100_000)  # does not raise: queued for Twisted's own write
    assert connection._tempDataBuffer
    assert connection in reactor.getWriters()
    assert isinstance(connection.doWrite(), Exception)  # which tells the reactor the connection is lost


def test_tls_and_closing_connections_take_twisteds_own_path(pair):
    connection, _peer, _reactor = pair
    connection.disconnecting = 1
    write_now(connection, b"queued")
    assert connection._tempDataBuffer == [b"queued"]


def test_install_sends_every_connections_writes_through_write_now_and_uninstall_undoes_it():
    original = tcp.Connection.write
    assert original is not write_now
    transport.install()
    try:
        assert tcp.Connection.write is write_now
    finally:
        transport.uninstall()
    assert tcp.Connection.write is original


def test_this_twisted_has_every_attribute_write_now_reads():
    assert transport.missing_attributes() == []


def test_install_refuses_a_twisted_without_what_write_now_reads(monkeypatch):
    monkeypatch.delattr(abstract.FileDescriptor, "_writeDisconnected")  # as if an upgrade renamed it
    with pytest.raises(TwistedChanged, match=r"_writeDisconnected.*FAST_SOCKET_WRITES=0"):
        transport.install()
    assert tcp.Connection.write is not write_now
    monkeypatch.setattr(transport, "RELIED_ON", ("_tempDataBuffer", "_tempDataQueue"))  # set in __init__
    assert transport.missing_attributes() == ["_tempDataQueue"]
