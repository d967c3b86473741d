"""Random input for the fuzz test (test_fuzz.py): valid messages of every type docs/protocol.md
lists for the three sockets, valid REST bodies, and mutations of both. Every choice comes from
the `random.Random` it is given, so a seed replays a run's choices (moves follow the position the
server last confirmed, and pings carry the clock, as the page's do)."""

import json
import random
import time
from dataclasses import dataclass
from typing import Any

WIRE_LIMIT = 256 * 1024  # a frame over this is not read: the server closes with 1009
SOCKET_LIMITS = {"world": 1024, "chat": 8192, "signal": 70 * 1024}
REST_LIMIT = 64 * 1024
DIRECTIONS = ("down", "left", "right", "up")
SCOPES = ("world", "nearby", "zone", "direct")
STATUSES = ("available", "busy", "dnd", "away")

WRONG_VALUES: list[Any] = [
    None, True, False, 0, -1, 1.5, -0.0, "", "x", "1", "null", [], {}, [1, 2], {"a": 1}, {"type": "move"},
    2**53, -(2**53), 1e308, 5e-324,
]  # fmt: skip
NUMBERS: list[Any] = [
    10**9, 10**9 + 1, -(10**9) - 1, 2**53, -(2**53), 1e308, -1e308, 5e-324, -0.0, 0, -1, 0.5, 3.5, True,
    False, 65535, 65536, 2**31, 2**63,
]  # fmt: skip
RAW_NUMBERS = [
    "9" * 400, "-" + "9" * 400, "1e400", "-1e400", "NaN", "Infinity", "-Infinity", "9007199254740993",
    "1" + "0" * 20, "1e-400", "-0", "01", ".5", "+1", "0x10", "1.", "1e", "--1",
]  # fmt: skip
UNICODE = [
    "\u0000", "a\u0000b", "\u202eevil", "\ufeff", "\uffff", "\U0001f600" * 300, "e\u0301" * 500, "\u200d" * 100,
    "\u0085\u2028\u2029", "\U0001d54f" * 2000, "\ud7ff", "\ue000", "\u03a9" * 3000, " \t\n ", "\x7f\x1b[2J",
    "<script>alert(1)</script>", "' OR 1=1 --", "%s%n", "../../etc/passwd", "\\u0000", "\u0130\u0131\u00df",
]  # fmt: skip
LONE_SURROGATES = ['"\\ud800"', '"\\udfff"', '"\\ud83d"', '"a\\udc00b"']
INVALID_JSON = [
    "", " ", "{", "}", "[", "]", '{"type": "move"', "{'type': 'move'}", '{"type": "move",}', "{type: move}",
    "NaN", "Infinity", "undefined", '{"type": "move"} x', '{"type": "move"}{"type": "ping"}', "\x00",
    '{"type": "ping", "t": 1e400}', '{"a":' * 40 + "1" + "}" * 40, "[" * 5000 + "]" * 5000, '"\\x41"', "tru",
    '{"type": "\\u12"}', '{"type": "move", "x": 1, "x": }', "\ufeff{}", "/* */{}",
]  # fmt: skip
NOT_OBJECTS = ["[]", "5", "-1.5", "null", "true", '"move"', '[{"type": "move"}]', '{"type": 5}', '{"type": null}', "{}"]
FOREIGN_TYPES = [
    "", " ", "Move", "move ", "MOVE", "send", "move", "offer", "ping", "chat.send", "websocket.connect",
    "websocket.disconnect", "websocket.receive", "handle_move", "__init__", "__class__", "tick", "welcome",
    "closing", "error", "pong", "history", "ready", "world.replaced", "moderation.close", "socket.drain",
    "chat.message", "signal.replaced", "x" * 1000, "\u0000", "\U0001f600",
]  # fmt: skip
EXTRA_FIELDS = ["__proto__", "constructor", "from", "polite", "sender", "id", "user_id", "channel", "scope", "zone"]


@dataclass
class Me:
    """What a fuzzing client knows of itself on one world socket: enough to make valid moves."""

    id: int
    peers: list[int]
    x: float = 10.0
    y: float = 10.0
    seq: int = 0


class Mutator:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._raw: dict[str, str] = {}

    # --- valid messages -----------------------------------------------------------------------

    def valid(self, kind: str, me: Me) -> dict[str, Any]:
        return {"world": self._world, "chat": self._chat, "signal": self._signal}[kind](me)

    def _world(self, me: Me) -> dict[str, Any]:
        rng = self.rng
        if rng.random() < 0.15:
            message: dict[str, Any] = {"type": "ping"}
            if rng.random() < 0.7:
                message["t"] = rng.choice([int(time.time() * 1000), rng.randint(0, 10**6), rng.random()])
            return message
        x, y = me.x + rng.uniform(-0.3, 0.3), me.y + rng.uniform(-0.3, 0.3)
        if rng.random() < 0.1:  # a jump: too fast, into a wall or off the map
            x, y = rng.uniform(-5, 80), rng.uniform(-5, 50)
        message = {"type": "move", "x": round(x, 3), "y": round(y, 3), "dir": rng.choice(DIRECTIONS)}
        if rng.random() < 0.8:
            message["moving"] = rng.random() < 0.5
        if rng.random() < 0.8:
            me.seq += rng.choice([1, 1, 1, 2, 1000])
            message["seq"] = me.seq
        return message

    def _chat(self, me: Me) -> dict[str, Any]:
        rng = self.rng
        scope = rng.choice(SCOPES)
        message: dict[str, Any] = {"type": "send", "scope": scope, "text": self.text(rng.randint(1, 200))}
        if scope == "direct":
            message["to"] = rng.choice([*me.peers, *me.peers, me.id, 987654321])
        if rng.random() < 0.7:
            message["client_id"] = f"c-{rng.randint(0, 10**6)}"
        return message

    def _signal(self, me: Me) -> dict[str, Any]:
        rng = self.rng
        kind = rng.choice(["offer", "answer", "candidate", "candidate", "hangup"])
        to = rng.choice([*me.peers, *me.peers, *me.peers, me.id, 987654321])
        if kind in ("offer", "answer"):
            sdp = "v=0\r\no=- 4611 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n" + "a=x\r\n" * rng.randint(0, 400)
            return {"type": kind, "to": to, "sdp": sdp}
        if kind == "hangup":
            return {"type": "hangup", "to": to}
        candidate: dict[str, Any] | None = None
        if rng.random() < 0.8:
            address = f"192.0.2.{rng.randint(1, 254)} {rng.randint(1024, 65535)}"
            candidate = {
                "candidate": f"candidate:1 1 udp 2122260223 {address} typ host",
                "sdpMid": rng.choice(["0", "1", None]),
                "sdpMLineIndex": rng.choice([0, 1, None, 0]),
            }
            if candidate["sdpMid"] is None and candidate["sdpMLineIndex"] is None:
                candidate["sdpMid"] = "0"
            if rng.random() < 0.3:
                candidate["usernameFragment"] = "abcd"
        return {"type": "candidate", "to": to, "candidate": candidate}

    def text(self, length: int) -> str:
        alphabet = "abcdefghij klmnop\u00e9\u00fc\u4e2d\U0001f600.,!?"
        return "".join(self.rng.choice(alphabet) for _ in range(length)) or "x"

    # --- mutations -----------------------------------------------------------------------------

    def frame(self, kind: str, me: Me, *, valid_share: float = 0.45) -> str | bytes:
        """One frame for a socket: a valid message, or a mutated one."""
        message = self.valid(kind, me)
        if self.rng.random() < valid_share:
            return self.dumps(message)
        return self.mutate(message, limit=SOCKET_LIMITS[kind])

    def mutate(self, message: dict[str, Any], *, limit: int) -> str | bytes:
        rng = self.rng
        how = rng.choice(
            ["wrong_type", "wrong_type", "missing", "number", "number", "nested", "long", "unicode", "unicode",
             "binary", "unknown_type", "invalid_json", "not_object", "just_over", "extra_fields", "duplicate"]
        )  # fmt: skip
        message = json.loads(json.dumps(message))
        keys = self._paths(message)
        path = rng.choice(keys) if keys else ("type",)
        if how == "wrong_type":
            self._set(message, path, rng.choice(WRONG_VALUES))
        elif how == "missing":
            self._delete(message, path)
        elif how == "number":
            self._set(message, path, rng.choice(NUMBERS) if rng.random() < 0.5 else self.raw(rng.choice(RAW_NUMBERS)))
        elif how == "nested":
            self._set(message, path, self.nested(rng.choice([5, 31, 32, 33, 200, 3000])))
        elif how == "long":
            # Long, but under 256 KiB however it is written (an escaped emoji takes 12 bytes).
            size = rng.choice([65, 257, 1000, 2001, 4097, 8193, 65537, limit + 1])
            self._set(message, path, rng.choice(["x", "\u00e9", "\U0001f600", " "] if size < 8193 else "x ") * size)
        elif how == "unicode":
            value = rng.choice(UNICODE) if rng.random() < 0.8 else self.raw(rng.choice(LONE_SURROGATES))
            self._set(message, path, value)
        elif how == "binary":
            return self.dumps(message).encode() if rng.random() < 0.6 else rng.randbytes(rng.randint(0, 2000))
        elif how == "unknown_type":
            message["type"] = rng.choice(FOREIGN_TYPES)
        elif how == "invalid_json":
            return rng.choice(INVALID_JSON)
        elif how == "not_object":
            return rng.choice(NOT_OBJECTS)
        elif how == "just_over":
            return self.padded(message, limit + rng.choice([1, 1, 2, 100]))
        elif how == "extra_fields":
            for name in rng.sample(EXTRA_FIELDS, 3):
                message[name] = rng.choice(WRONG_VALUES)
        elif how == "duplicate":
            text = self.dumps(message)
            return text[:-1] + ', "type": ' + json.dumps(rng.choice(FOREIGN_TYPES)) + "}"
        return self.dumps(message)

    def padded(self, message: dict[str, Any], size: int) -> str:
        """The message with a `pad` field that makes it `size` bytes of UTF-8."""
        text = self.dumps({**message, "pad": ""})
        return text[:-2] + "x" * (size - len(text.encode())) + text[-2:]

    def nested(self, depth: int) -> str:
        """Arrays and objects `depth` deep, as JSON text (Python's json recurses to write it too)."""
        opening = "".join("[" if level % 2 else '{"a": ' for level in range(depth))
        closing = "".join("]" if level % 2 else "}" for level in reversed(range(depth)))
        return self.raw(opening + "1" + closing)

    def raw(self, text: str) -> str:
        """A stand-in for a value that is no JSON value (NaN, 1e400, "\\ud800"): `dumps` writes
        `text` in its place, as it is."""
        token = f"@@raw{len(self._raw)}@@"
        self._raw[token] = text
        return token

    def dumps(self, value: Any) -> str:
        # About half the frames carry non-ASCII as UTF-8, the others as \u escapes.
        text = json.dumps(value, ensure_ascii=self.rng.random() < 0.5)
        for token, raw in self._raw.items():
            text = text.replace(f'"{token}"', raw)
        self._raw.clear()
        return text

    # --- REST ----------------------------------------------------------------------------------

    def rest_body(self, path: str, me: Me) -> tuple[bytes, str]:
        """A body for a write endpoint and its Content-Type: valid, or mutated."""
        rng = self.rng
        valid = self._rest_valid(path, me)
        roll = rng.random()
        if roll < 0.3:
            return self.dumps(valid).encode(), "application/json"
        if roll < 0.4:
            content_type = rng.choice(
                ["application/x-www-form-urlencoded", "multipart/form-data", "multipart/form-data; boundary=x",
                 "text/plain", "", "application/json; charset=latin-1", "application/json; charset=nope",
                 "application/json; charset=utf-16"]
            )  # fmt: skip
            body = "&".join(f"{key}={value}" for key, value in valid.items()).encode()
            return rng.choice([body, self.dumps(valid).encode(), b"--x\r\n\r\n--x--"]), content_type
        if roll < 0.45:
            return rng.choice([b'{"reason": "\xff\xfe"}', b"\xc3", rng.randbytes(100)]), "application/json"
        if roll < 0.5:
            return self.padded(valid, REST_LIMIT + rng.choice([1, 1000])).encode(), "application/json"
        mutated = self.mutate({"type": "x", **valid}, limit=REST_LIMIT)
        return (mutated if isinstance(mutated, bytes) else mutated.encode()), "application/json"

    def _rest_valid(self, path: str, me: Me) -> dict[str, Any]:
        rng = self.rng
        if path.startswith("/api/players/me/"):
            profile = {
                "display_name": self.text(rng.randint(1, 40)),
                "avatar": rng.choice(["ada", "ben", "chen", "nope"]),
                "status": rng.choice(STATUSES),
            }
            return {key: value for key, value in profile.items() if rng.random() < 0.6}
        if path.startswith("/api/blocks/"):
            return {"user": rng.choice([*me.peers, me.id, 987654321])}
        body: dict[str, Any] = {"user": rng.choice([*me.peers, me.id]), "reason": self.text(rng.randint(1, 300))}
        if rng.random() < 0.5:
            body["message"] = rng.choice([None, 1, 2, 987654321])
        return body

    # --- paths into a message -------------------------------------------------------------------

    def _paths(self, message: dict[str, Any]) -> list[tuple[str, ...]]:
        paths: list[tuple[str, ...]] = []
        for key, value in message.items():
            paths.append((key,))
            if isinstance(value, dict):
                paths += [(key, inner) for inner in value]
        return paths

    def _set(self, message: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
        target = message
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    def _delete(self, message: dict[str, Any], path: tuple[str, ...]) -> None:
        target = message
        for key in path[:-1]:
            target = target[key]
        target.pop(path[-1], None)
