"""The page's protocol.js says what the server and docs/protocol.md say about closing a socket."""

import re
from pathlib import Path

from django.conf import settings

from metaverse.sockets import CloseCode

JS = Path(__file__).resolve().parents[1] / "static" / "frontend" / "js"
PROTOCOL_JS = JS / "protocol.js"
PROTOCOL_MD = Path(settings.BASE_DIR) / "docs" / "protocol.md"


def js_block(name: str, opening: str, closing: str) -> str:
    text = PROTOCOL_JS.read_text()
    match = re.search(rf"export const {name} = {re.escape(opening)}(.*?){re.escape(closing)}", text, re.DOTALL)
    assert match, f"protocol.js has no `export const {name} = {opening}…{closing}`"
    return match.group(1)


def js_close_codes() -> dict[str, int]:
    block = js_block("CloseCode", "Object.freeze({", "});")
    return {name: int(value) for name, value in re.findall(r"^\s*([A-Z][A-Z_]*): (\d+),", block, re.MULTILINE)}


def test_close_codes_are_the_servers_by_name_and_value():
    assert js_close_codes() == {code.name: code.value for code in CloseCode}


def test_the_codes_not_to_reconnect_after_are_those_the_protocol_documents():
    codes = js_close_codes()
    names = re.findall(r"CloseCode\.([A-Z_]+)", js_block("NO_RECONNECT", "new Set([", "]);"))
    assert set(names) <= set(codes), f"NO_RECONNECT names codes protocol.js does not have: {set(names) - set(codes)}"
    documented = re.search(r"should not\s+reconnect on its own after ([^;]+);", PROTOCOL_MD.read_text())
    assert documented, "docs/protocol.md no longer says after which codes a client should not reconnect"
    assert {codes[name] for name in names} == {int(code) for code in re.findall(r"\d{4}", documented.group(1))}


def test_no_other_module_of_the_page_spells_a_close_code_as_a_number():
    codes = "|".join(str(code.value) for code in CloseCode)
    spelled = [
        f"{path.relative_to(JS)}:{number}: {line.strip()}"
        for path in sorted(JS.rglob("*.js"))
        if path != PROTOCOL_JS
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if re.search(rf"(?<![\w.])({codes})(?![\w.])", line)
    ]
    assert not spelled, "use protocol.js's CloseCode instead:\n" + "\n".join(spelled)
