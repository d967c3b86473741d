"""What the three sockets of a world share: they are let in the same way (world/admission.py)."""

from channels.db import database_sync_to_async

from accounts.models import User
from metaverse.sockets import JsonSocketConsumer, client_address
from world.admission import Admission, Refusal, admit


class WorldSocketConsumer(JsonSocketConsumer):
    """The base of /ws/world/, /ws/chat/ and /ws/signal/: `admit()` first, in `connect`."""

    async def admit(self) -> Admission | None:
        """This socket's admission, or None once it is closed with the refusal's code."""
        decided = await database_sync_to_async(self._admit_and_read)(
            self.scope["user"], self.scope["url_route"]["kwargs"]["slug"], client_address(self.scope)
        )
        if isinstance(decided, Refusal):
            await self.close_with(decided.code, decided.reason, decided.message)
            return None
        return decided

    def _admit_and_read(self, user: User, slug: str, address: str | None) -> Admission | Refusal:
        decided = admit(user=user, slug=slug, address=address)
        if isinstance(decided, Admission):
            self.read_on_admission(decided)
        return decided

    def read_on_admission(self, admission: Admission) -> None:
        """What else the socket reads from the database once admitted, in the same trip to the
        database's thread (each trip waits for a busy server's event loop to let it run)."""
