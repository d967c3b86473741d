"""docs/protocol.md tells clients what a kick or a ban says: keep it what the code says."""

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

from metaverse.sockets import CloseCode
from moderation.models import Ban
from moderation.services import kick_message

DOC = Path(settings.BASE_DIR) / "docs" / "protocol.md"


def test_the_closing_messages_of_kicks_and_bans_are_documented_as_sent():
    text = DOC.read_text()
    ban = Ban(reason="spam", until=datetime(2026, 6, 1, 14, 0, tzinfo=UTC))
    for_good = Ban(reason="spam", until=None)
    assert f"| {CloseCode.KICKED.value} | `{kick_message('spamming')}` |" in text
    assert f"| {CloseCode.BANNED.value} | `{ban.refusal_message()}` |" in text
    assert f"| {CloseCode.BANNED.value} | `{for_good.refusal_message()}` |" in text
    assert f"| {CloseCode.BANNED.value} | `{ban.refusal_message(by_address=True)}` |" in text
    assert "| 4003 | `banned` |" in text
    assert "| 4010 | `kicked` |" in text
