"""A player as the engine holds it, and how it is written on the wire."""

import time
from dataclasses import dataclass
from typing import Any

import orjson

DIRECTIONS = ("down", "left", "right", "up")
EMOTES = ("wave", "thumbs_up", "heart", "laugh", "raised_hand")
EMOTE_MS = 5000  # how long a reaction shows over the avatar


@dataclass(slots=True, eq=False)
class PlayerState:
    id: int
    name: str
    avatar: str
    avatar_url: str
    status: str
    x: float
    y: float
    dir: str = "down"
    moving: bool = False
    seq: int = 0
    zone: int = -1  # index into MapData.zones, -1 outside every zone
    stage: int = -1  # index into MapData.stages while on a stage's speaker or audience area
    stage_speaker: bool = False  # on the stage's speaker area (heard by its audience)
    cell: int = -1  # interest cell, -1 while not placed
    origin: str = ""  # the process that owns this player ("" for this process)
    # Whom this player has blocked: never put in contact with them. Between processes only (see
    # `replica`): nobody else learns whom someone blocks.
    avoids: frozenset[int] = frozenset()
    guest: bool = False  # a guest account: marked as such next to the name
    left_call: bool = False  # stepped out of calls: shown busy, in no contact or call (WorldEngine.leave_call)
    emote: str = ""  # the last reaction (one of EMOTES), shown for EMOTE_MS from emote_at
    emote_at: float = 0.0  # ms since the epoch, on this process's clock
    emote_seq: int = 0  # counts the player's reactions, so a replica tells a new one from a repeat
    # Refuses to be located (world/finding.py). Between processes only, like `avoids`: pages are not
    # told, they learn it from `people` and `locate`.
    hide_location: bool = False

    def full(self) -> dict[str, Any]:
        return (
            {
                "id": self.id,
                "name": self.name,
                "avatar": self.avatar,
                "avatar_url": self.avatar_url,
                "status": "busy" if self.left_call and self.status == "available" else self.status,
                "x": round(self.x, 3),
                "y": round(self.y, 3),
                "dir": self.dir,
                "moving": self.moving,
                "seq": self.seq,
            }
            | self._emote_now()
            | ({"left_call": True} if self.left_call else {})
            | ({"guest": True} if self.guest else {})
        )

    def _emote_now(self) -> dict[str, str]:
        if self.emote and time.time() * 1000 - self.emote_at < EMOTE_MS:
            return {"emote": self.emote}
        return {}

    def react(self, emote: str) -> None:
        self.emote, self.emote_at, self.emote_seq = emote, time.time() * 1000, self.emote_seq + 1

    def reaction_json(self) -> str:
        return f'[{self.id},"{self.emote}"]'  # an id and one of EMOTES: nothing to escape

    def replica(self) -> dict[str, Any]:
        """What another process needs: `full`, whom the player blocks and whether they hide where
        they are."""
        data = self.full()
        if self.avoids:
            data["avoids"] = sorted(self.avoids)
        if self.hide_location:
            data["hide_location"] = True
        if self.emote_seq:
            data["emote_seq"] = self.emote_seq
        return data

    def full_json(self) -> str:
        return orjson.dumps(self.full()).decode()

    def compact(self) -> list[Any]:
        return [self.id, round(self.x, 3), round(self.y, 3), self.dir, self.moving, self.seq]

    def compact_json(self) -> str:
        # Hand-built: this runs for every move of every player; values are validated numbers and
        # one of DIRECTIONS, so no escaping is needed.
        moving = "true" if self.moving else "false"
        return f'[{self.id},{round(self.x, 3)!r},{round(self.y, 3)!r},"{self.dir}",{moving},{self.seq}]'

    def set_profile(self, *, name: str, avatar: str, avatar_url: str, status: str, hide_location: bool) -> bool:
        """True if what pages are shown of the player changed (`hide_location` is not shown)."""
        changed = (self.name, self.avatar, self.avatar_url, self.status) != (name, avatar, avatar_url, status)
        self.name, self.avatar, self.avatar_url, self.status = name, avatar, avatar_url, status
        self.hide_location = hide_location
        return changed

    @classmethod
    def from_full(cls, data: dict[str, Any], *, origin: str) -> "PlayerState":
        return cls(
            id=int(data["id"]),
            name=str(data["name"]),
            avatar=str(data["avatar"]),
            avatar_url=str(data["avatar_url"]),
            status=str(data["status"]),
            x=float(data["x"]),
            y=float(data["y"]),
            dir=str(data["dir"]) if data.get("dir") in DIRECTIONS else "down",
            moving=bool(data.get("moving")),
            seq=int(data.get("seq", 0)),
            origin=origin,
            avoids=frozenset(int(other) for other in data.get("avoids", ())),
            emote=data["emote"] if data.get("emote") in EMOTES else "",
            emote_at=time.time() * 1000 if data.get("emote") in EMOTES else 0.0,
            emote_seq=int(data.get("emote_seq", 0)),
            guest=bool(data.get("guest")),
            left_call=bool(data.get("left_call")),
            hide_location=bool(data.get("hide_location")),
        )
