"""One schema per message a client sends on /ws/signal/: what gets relayed, and nothing else.

Only the fields named here reach the other side, rebuilt from validated values; whatever else a
client puts in a message stays on the server.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

from metaverse.errors import AppError
from metaverse.sockets import field_int

KIB = 1024
MAX_FRAME_BYTES = 70 * KIB  # one message: an SDP or candidate at its limit, plus the envelope
MAX_SDP_BYTES = 64 * KIB
MAX_CANDIDATE_BYTES = 64 * KIB
MAX_TOKEN_LENGTH = 256  # sdpMid, usernameFragment: short identifiers in every browser


@dataclass(frozen=True)
class Outgoing:
    """A validated message for player `to`: relayed as {"type": kind, "from": ..., **fields}."""

    kind: str
    to: int
    fields: dict[str, Any]
    size: int  # roughly the bytes it occupies, for the cap on messages held back


def _peer(data: dict[str, Any]) -> int:
    value = field_int(data, "to", minimum=1)
    assert value is not None  # required
    return value


def _text(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise AppError("invalid", gettext("'%(name)s' must be a string") % {"name": name})
    if len(value) > limit or len(value.encode()) > limit:
        raise AppError(
            "too_large", gettext("'%(name)s' is larger than %(size)d KiB") % {"name": name, "size": limit // KIB}
        )
    return value


def _token(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TOKEN_LENGTH:
        raise AppError(
            "invalid",
            gettext("'%(name)s' must be null or a string of at most %(limit)d characters")
            % {"name": name, "limit": MAX_TOKEN_LENGTH},
        )
    return value


def parse_description(data: dict[str, Any]) -> Outgoing:
    """`offer` and `answer`: a complete session description."""
    to = _peer(data)
    sdp = _text(data.get("sdp"), "sdp", MAX_SDP_BYTES)
    if not sdp.strip():
        raise AppError("invalid", gettext("'sdp' must not be empty"))
    return Outgoing(kind=str(data["type"]), to=to, fields={"sdp": sdp}, size=len(sdp))


def parse_candidate(data: dict[str, Any]) -> Outgoing:
    """`candidate`: an RTCIceCandidateInit, or null for end-of-candidates."""
    to = _peer(data)
    if "candidate" not in data:
        raise AppError("invalid", gettext("'candidate' is required (an RTCIceCandidateInit, or null)"))
    raw = data["candidate"]
    if raw is None:
        return Outgoing(kind="candidate", to=to, fields={"candidate": None}, size=0)
    if not isinstance(raw, dict):
        raise AppError("invalid", gettext("'candidate' must be an object or null"))
    text = _text(raw.get("candidate", ""), "candidate.candidate", MAX_CANDIDATE_BYTES)
    mid = _token(raw.get("sdpMid"), "candidate.sdpMid")
    index = raw.get("sdpMLineIndex")
    if index is not None and (isinstance(index, bool) or not isinstance(index, int) or not 0 <= index <= 65535):
        raise AppError("invalid", gettext("'candidate.sdpMLineIndex' must be null or a whole number 0–65535"))
    if text and mid is None and index is None:
        raise AppError("invalid", gettext("a candidate needs 'sdpMid' or 'sdpMLineIndex'"))
    fragment = _token(raw.get("usernameFragment"), "candidate.usernameFragment")
    candidate = {"candidate": text, "sdpMid": mid, "sdpMLineIndex": index, "usernameFragment": fragment}
    return Outgoing(kind="candidate", to=to, fields={"candidate": candidate}, size=len(text))


def parse_hangup(data: dict[str, Any]) -> Outgoing:
    return Outgoing(kind="hangup", to=_peer(data), fields={"reason": "peer_hung_up"}, size=0)


SCHEMAS: dict[str, Callable[[dict[str, Any]], Outgoing]] = {
    "offer": parse_description,
    "answer": parse_description,
    "candidate": parse_candidate,
    "hangup": parse_hangup,
}
