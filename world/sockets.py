"""What the three sockets of a world share: they are let in the same way (world/admission.py)."""

from channels.db import database_sync_to_async

from metaverse.sockets import JsonSocketConsumer, client_address
from world.admission import Admission, Refusal, admit


class WorldSocketConsumer(JsonSocketConsumer):
    """The base of /ws/world/, /ws/chat/ and /ws/signal/: `admit()` first, in `connect`."""

    async def admit(self) -> Admission | None:
        """This socket's admission, or None once it is closed with the refusal's code."""
        slug = self.scope["url_route"]["kwargs"]["slug"]
        decided = await database_sync_to_async(admit)(
            user=self.scope["user"], slug=slug, address=client_address(self.scope)
        )
        if isinstance(decided, Refusal):
            await self.close_with(decided.code, decided.reason, decided.message)
            return None
        return decided
