"""What the three sockets of a world share: they are let in the same way (world/admission.py)."""

from metaverse.database import database_sync_to_async
from metaverse.sockets import JsonSocketConsumer, authenticate_now, client_address
from world.admission import Admission, Refusal, admit


class WorldSocketConsumer(JsonSocketConsumer):
    """The base of /ws/world/, /ws/chat/ and /ws/signal/: `admit()` first, in `connect`.

    The user is authenticated and admitted in one trip to the database thread: on a busy
    server each trip waits for the thread and for the event loop (docs/performance.md)."""

    _decided: Admission | Refusal | None = None

    async def authenticate(self) -> None:
        self._decided = await database_sync_to_async(self._authenticate_and_admit)(
            self.scope["url_route"]["kwargs"]["slug"], client_address(self.scope)
        )

    def _authenticate_and_admit(self, slug: str, address: str | None) -> Admission | Refusal | None:
        authenticate_now(self.scope)
        if self.scope.get("unavailable"):
            return None  # the socket base closes with 1013
        decided = admit(user=self.scope["user"], slug=slug, address=address)
        if isinstance(decided, Admission):
            self.read_on_admission(decided)
        return decided

    async def admit(self) -> Admission | None:
        """This socket's admission, or None once it is closed with the refusal's code."""
        decided = self._decided
        if isinstance(decided, Refusal):
            await self.close_with(decided.code, decided.reason, decided.message)
            return None
        return decided  # None only when unavailable, and then the socket base has closed it

    def read_on_admission(self, admission: Admission) -> None:
        """What else the socket reads from the database once admitted, in the same trip to the
        database's thread."""
