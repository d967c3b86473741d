"""docs/protocol.md is the chat socket's contract: every error code the code can send is in it."""

import re
from pathlib import Path

CHAT = Path(__file__).resolve().parents[1]
DOC = CHAT.parent / "docs" / "protocol.md"


def chat_section() -> str:
    text = DOC.read_text()
    return text[text.index("## `/ws/chat/<slug>/`") : text.index("## `/ws/signal/<slug>/`")]


def test_every_chat_error_code_is_documented():
    source = "".join(path.read_text() for path in (CHAT / "services.py", CHAT / "consumers.py"))
    codes = set(re.findall(r'(?:Chat|App)Error\(\s*"([a-z_]+)"', source))
    assert {"rate_limited", "muted", "unknown_recipient", "not_in_world"} <= codes  # the pattern finds them
    # A direct message to someone who blocked you is answered as one to nobody: no `blocked`.
    assert "blocked" not in codes
    section = chat_section()
    assert not {code for code in codes if f"`{code}`" not in section}
    assert "| `blocked` |" not in section


def test_every_message_type_of_the_chat_socket_is_documented():
    section = chat_section()
    for kind in ("history", "send", "message", "message_hidden", "error"):
        assert f'"type": "{kind}"' in section, kind
