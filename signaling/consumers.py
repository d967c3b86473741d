"""/ws/signal/<slug>/: WebRTC offers, answers, ICE candidates and hang-ups between two players,
relayed only while the world engine has them in contact (docs/protocol.md). Thin: validate,
ask this process's replica of the world, send to the other player's group."""

import asyncio
import contextlib
import logging
import math
import time
from typing import Any

from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from metaverse.errors import AppError
from metaverse.sockets import CloseCode, Flood, TokenBucket
from signaling.janus import JanusError
from signaling.schemas import MAX_FRAME_BYTES, SCHEMAS, Outgoing, parse_candidate, parse_description, parse_hangup
from signaling.sfu import MIXER, VIDEO, get_keeper, room_id, ticket
from world.engine.engine import WorldEngine
from world.engine.hub import Hub, get_hub
from world.sockets import WorldSocketConsumer

log = logging.getLogger(__name__)

# The world socket may be opening at the same moment, or live on another process whose news
# reaches this replica a tick or two later.
IN_WORLD_WAIT_SECONDS = 5.0
# Likewise a brand-new contact (each replica works contacts out every 200 ms, on its own beat):
# a message for a player not (yet) in contact here waits this long for this replica to agree
# before it is refused. Later messages to that player queue behind it.
CONTACT_WAIT_SECONDS = 0.5
CHECK_SECONDS = 0.02  # how often to look for the player on the world socket
HELD_BYTES_LIMIT = 256 * 1024  # per socket, across every player messages are waiting for
HELD_PEERS_LIMIT = 16
SDP_PER_SECOND, SDP_BURST = 10, 20  # offers and answers
SMALL_PER_SECOND, SMALL_BURST = 200, 400  # candidates and hang-ups: a mesh of 6 trickles ~100 at once
RATE_DROPS_BEFORE_CLOSE = 400  # within RATE_WINDOW_SECONDS
RATE_WINDOW_SECONDS = 10.0
# Lazy: sent from the world's tick as well, and translated as it is sent, for each socket.
CALL_UNAVAILABLE = gettext_lazy("The meeting server cannot be reached; try again in a moment.")
# When a call's sound stops being mixed, a page moves its voice back to the video room, then leaves
# the mix; it is taken out of the mix after this long if it has not.
MIX_HANDOVER_SECONDS = 5.0


def signal_group(world_id: int, user_id: int) -> str:
    """The signal socket of one player in one world, on whichever process it is."""
    return f"signal.{world_id}.{user_id}"


class SignalingConsumer(WorldSocketConsumer):
    message_types = frozenset(SCHEMAS)
    max_message_bytes = MAX_FRAME_BYTES

    hub: Hub | None = None
    engine: WorldEngine | None = None
    listening = False
    call: str | None = None  # the media server's call this player is in (world/engine/calls.py)
    mixed = False  # whether that call's sound goes through the media server's mixer
    hidden: tuple[int, ...] = ()  # the call's members kept apart from this player by a block
    stage_role: str | None = None  # in a stage's call: "speaker" or "listener" (only receives)

    async def connect(self) -> None:
        self._held: dict[int, list[Outgoing]] = {}
        self._contact_added: dict[int, asyncio.Event] = {}
        self._held_bytes = 0
        self._call_lock = asyncio.Lock()
        self._waiters: set[asyncio.Future[None]] = set()
        self._sdp_bucket = TokenBucket(SDP_PER_SECOND, SDP_BURST)
        self._small_bucket = TokenBucket(SMALL_PER_SECOND, SMALL_BURST)
        self._flood = Flood(
            limit=RATE_DROPS_BEFORE_CLOSE,
            window=RATE_WINDOW_SECONDS,
            notice=gettext("at most %(offers)d offers and answers and %(small)d candidates and hang-ups a second")
            % {"offers": SDP_PER_SECOND, "small": SMALL_PER_SECOND},
            closing=gettext("Too many signaling messages."),
        )
        admission = await self.admit()
        if admission is None:
            return
        user, record = self.scope["user"], admission.record
        self.hub = get_hub()
        self.engine = engine = await self.hub.attach(record)
        if settings.JANUS_URL:
            get_keeper().watch(self.hub)
        await self.join_group(signal_group(record.id, user.pk))
        # One signal socket per player and world: an older one, here or elsewhere, closes.
        await self.bus.publish_user_event(
            user.pk, {"type": "signal.replaced", "world": record.id, "channel": self.channel_name}
        )
        if not await self._wait_until_in_world(engine, user.pk):
            first = gettext("Enter %(world)s on %(path)s first.") % {
                "world": record.name,
                "path": f"/ws/world/{record.slug}/",
            }
            await self.close_with(CloseCode.NOT_IN_WORLD, "not_in_world", first)
            return
        engine.listen_contacts(user.pk, self.contacts_changed)
        self.listening = True
        await self.send_json({"type": "ready", "you": user.pk, "contacts": engine.contacts_of(user.pk)})
        self._call_changed(engine.call_of(user.pk))

    async def _wait_until_in_world(self, engine: WorldEngine, user_id: int) -> bool:
        deadline = time.monotonic() + IN_WORLD_WAIT_SECONDS
        # The engine announces no arrivals, and this happens once per socket: looking is enough.
        while user_id not in engine.players:
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(CHECK_SECONDS)
        return True

    async def disconnect(self, code: int) -> None:
        self.closing = True
        for waiter in list(getattr(self, "_waiters", ())):
            waiter.cancel()
        if self.engine is not None and self.listening:
            self.engine.unlisten_contacts(self.user_id, self.contacts_changed)
        if self.engine is not None and self.call is not None and code != CloseCode.REPLACED:
            # The page is gone: its token leaves the room's list and its feed the room. (A socket
            # replaced by a newer one leaves both to the newer one, which is in the same call.)
            await self._leave_call(self.call, mixed=self.mixed)
        if self.hub is not None and self.engine is not None:
            await self.hub.detach(self.engine.world_id)

    # --- messages from the client -------------------------------------------------------------

    async def handle_offer(self, data: dict[str, Any]) -> None:
        await self._relay(parse_description(data))

    async def handle_answer(self, data: dict[str, Any]) -> None:
        await self._relay(parse_description(data))

    async def handle_candidate(self, data: dict[str, Any]) -> None:
        await self._relay(parse_candidate(data))

    async def handle_hangup(self, data: dict[str, Any]) -> None:
        await self._relay(parse_hangup(data))

    async def _relay(self, message: Outgoing) -> None:
        engine = self.engine
        if engine is None or not self.listening:
            return
        bucket = self._sdp_bucket if message.kind in ("offer", "answer") else self._small_bucket
        if not bucket.take():
            await self.drop_for_rate(self._flood)
            return
        if message.to == self.user_id:
            raise AppError("invalid", gettext("'to' is your own id"))
        held = self._held.get(message.to)
        if held is None and engine.in_contact(self.user_id, message.to):
            await self._deliver(message)
            return
        if self._held_bytes + message.size > HELD_BYTES_LIMIT or (held is None and len(self._held) >= HELD_PEERS_LIMIT):
            await self._refuse(message)
            return
        self._held_bytes += message.size
        if held is not None:
            held.append(message)  # keeps the order: offer, then its candidates
            return
        self._held[message.to] = [message]
        self._contact_added[message.to] = asyncio.Event()
        waiter = asyncio.ensure_future(self._wait_for_contact(engine, message.to))
        self._waiters.add(waiter)
        waiter.add_done_callback(self._waiters.discard)

    async def _wait_for_contact(self, engine: WorldEngine, peer: int) -> None:
        # A task of its own, outside the socket's dispatch: whatever fails here is logged here.
        try:
            await self._release_when_in_contact(engine, peer)
        except Exception:
            log.exception("signaling: messages held for player %s failed", peer)

    async def _release_when_in_contact(self, engine: WorldEngine, peer: int) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(CONTACT_WAIT_SECONDS):
                await self._contact_added[peer].wait()
        del self._contact_added[peer]
        queue = self._held[peer]
        while queue:  # messages added while these go out join the end of the queue
            message = queue.pop(0)
            self._held_bytes -= message.size
            if engine.in_contact(self.user_id, peer):
                await self._deliver(message)
            else:
                await self._refuse(message)
        del self._held[peer]

    async def _deliver(self, message: Outgoing) -> None:
        assert self.engine is not None
        relayed: dict[str, Any] = {"type": message.kind, "from": self.user_id}
        if message.kind != "hangup":
            relayed["polite"] = message.to != self.engine.initiator(self.user_id, message.to)  # the receiver's side
            if self.engine.listens_to(message.to, self.user_id):
                relayed["listen"] = True  # a stage's speaker to its audience: the receiver sends nothing back
        relayed.update(message.fields)
        if not await self.send_to_group(
            signal_group(self.engine.world_id, message.to), {"type": "signal.relay", "message": relayed}
        ):
            await self.send_json(
                {"type": "error", "code": "unavailable", "message": gettext("Could not relay this message; try again."),
                 "to": message.to, "refused": message.kind}
            )  # fmt: skip

    async def _refuse(self, message: Outgoing) -> None:
        # Not counted as a bad message: around the moment a contact ends, a well-behaved client
        # still has candidates in flight.
        assert self.engine is not None
        if message.to in self.engine.players:
            code, text = "not_in_contact", gettext("You are not in contact with player %(id)s.") % {"id": message.to}
        else:
            code, text = "unknown_player", gettext("There is no player %(id)s in this world.") % {"id": message.to}
        if not self.closing:
            await self.send_json(
                {"type": "error", "code": code, "message": text, "to": message.to, "refused": message.kind}
            )

    # --- the world and the channel layer ------------------------------------------------------

    async def contacts_changed(self, added: list[int], removed: list[int], call: str | None) -> None:
        """Each side's own socket hears its own contacts end, on whichever process it is: so both
        sides are told to hang up. A pair that has moved into one call of the media server is told
        so (`call_moved`): the page keeps the peer connection until the call carries that peer."""
        if self.engine is None or self.closing:
            return
        for peer in added:
            if peer in self._contact_added:
                self._contact_added[peer].set()
        for peer in removed:
            if peer not in self.engine.players:
                reason = "peer_left"
            elif call is not None and self.engine.call_of(peer) == call:
                reason = "call_moved"
            else:
                reason = "contact_ended"
            await self.send_json({"type": "hangup", "from": peer, "reason": reason})
        self._call_changed(call)

    def _call_changed(self, call: str | None) -> None:
        if self.hub is None or self.engine is None:
            return
        mixed = self.engine.call_mixed(call)
        hidden = tuple(self.engine.hidden_from(self.user_id))
        role = self.engine.stage_role(self.user_id)
        if (call, mixed, hidden, role) == (self.call, self.mixed, self.hidden, self.stage_role):
            return
        previous, was_mixed = self.call, self.mixed
        self.call, self.mixed, self.hidden, self.stage_role = call, mixed, hidden, role
        # In the background: Janus answers in milliseconds, but the world's tick calls this.
        self.hub.spawn(self._switch_call(previous, was_mixed, call, mixed), name=f"call-{self.user_id}")

    async def _leave_call(self, call: str, *, mixed: bool) -> None:
        """Take the player's token off the call's rooms and its feeds out of them."""
        assert self.engine is not None
        room = room_id(world_id=self.engine.world_id, name=call)
        for plugin in (VIDEO, MIXER) if mixed else (VIDEO,):
            try:
                await get_keeper().dismiss(room, self.user_id, plugin=plugin)
            except JanusError as error:  # Janus down: its rooms are gone with it, the page leaves anyway
                log.warning("signaling: could not take player %s out of %s: %s", self.user_id, call, error)

    async def _switch_call(self, previous: str | None, was_mixed: bool, call: str | None, mixed: bool) -> None:
        """Out of the previous call's rooms, into the new one's, then tell the page; one switch at a
        time per socket, in the order they happened. The same call becoming mixed or unmixed is a
        switch too: the player is let into the mix, or its token is taken off the mix's list (and
        its feed out of the mix a little later, once the page has moved its voice back)."""
        assert self.engine is not None
        assert self.hub is not None
        world_id, keeper = self.engine.world_id, get_keeper()
        async with self._call_lock:
            if previous is not None and previous != call:
                await self._leave_call(previous, mixed=was_mixed)
            try:
                if previous is not None and previous == call and was_mixed and not mixed:
                    room = room_id(world_id=world_id, name=call)
                    await keeper.allow(room, self.user_id, plugin=MIXER, allowed=False)
                    self.hub.spawn(self._out_of_mix_later(call), name=f"mix-out-{self.user_id}")
                if call is None:
                    message: dict[str, Any] = {"type": "call", "mode": "p2p", "call": None}
                else:
                    message = await self._enter_call(call, mixed)
            except JanusError as error:
                log.warning("signaling: the media server failed for player %s: %s", self.user_id, error)
                message = {"type": "call", "mode": "unavailable", "call": call, "message": CALL_UNAVAILABLE}
                keeper.check_soon()  # if Janus is down, the meeting goes peer-to-peer in a moment
            if not self.closing and self.call == call:
                await self.send_json(message)

    async def _enter_call(self, call: str, mixed: bool) -> dict[str, Any]:
        """Let the player into the call's video room (and its mix, if mixed): what the page needs."""
        assert self.engine is not None
        keeper, room = get_keeper(), room_id(world_id=self.engine.world_id, name=call)
        await keeper.ensure_room(room, description=f"{self.engine.name}: {call}")
        await keeper.admit(room, self.user_id)
        mix: dict[str, Any] | None = None
        if mixed:
            await keeper.ensure_room(room, description=f"{self.engine.name}: {call} (sound)", plugin=MIXER)
            await keeper.admit(room, self.user_id, plugin=MIXER)
            members = [self.engine.players[pid] for pid in self.engine.call_members(call) if pid in self.engine.players]
            left = math.floor(min((player.x for player in members), default=0.0))
            right = math.ceil(max((player.x for player in members), default=0.0))
            mix = {"room": room, "left": left, "right": max(right, left + 1)}
        return {
            "type": "call", "mode": "sfu", "call": call, "members": self.engine.call_members(call),
            "video_limit": settings.CALL_VIDEO_LIMIT, "mix": mix, "hidden": self.engine.hidden_from(self.user_id),
            "janus": ticket(room=room, user_id=self.user_id).as_message(), "stage": self._stage(call),
        }  # fmt: skip

    def _stage(self, call: str) -> dict[str, Any] | None:
        """A stage's call: whether this player speaks or only listens, and who the speakers are."""
        assert self.engine is not None
        role = self.engine.stage_role(self.user_id)
        if role is None:
            return None
        speakers = [pid for pid in self.engine.call_members(call) if self.engine.stage_role(pid) == "speaker"]
        return {"role": role, "speakers": speakers}

    async def _out_of_mix_later(self, call: str) -> None:
        await asyncio.sleep(MIX_HANDOVER_SECONDS)
        if self.engine is None or (self.call == call and self.mixed):
            return  # mixed again meanwhile: the page is meant to be there
        try:
            await get_keeper().kick(room_id(world_id=self.engine.world_id, name=call), self.user_id, plugin=MIXER)
        except JanusError as error:
            log.warning("signaling: could not take player %s out of %s's mix: %s", self.user_id, call, error)

    async def signal_relay(self, event: dict[str, Any]) -> None:
        if not self.closing:
            await self.send_json(event["message"])

    async def signal_replaced(self, event: dict[str, Any]) -> None:
        if self.engine is not None and event["world"] == self.engine.world_id and event["channel"] != self.channel_name:
            elsewhere = gettext("You opened this world's signaling somewhere else.")
            await self.close_with(CloseCode.REPLACED, "replaced", elsewhere)
