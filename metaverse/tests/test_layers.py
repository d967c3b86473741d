"""The apps' layers (docs/architecture.md): accounts <- players <- world <- chat <- signaling, with
moderation and the pages on top, and metaverse/ both below them all (the shared modules) and
above them all (the composition root: settings, routing, urls, asgi). An import may only go down.
An `ast` walk over the runtime's modules (tests aside) finds any that goes the wrong way."""

import ast
from pathlib import Path

from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
LAYERS = {"accounts": 1, "players": 2, "world": 3, "chat": 4, "signaling": 5, "moderation": 6, "frontend": 6}
FOUNDATION = 0  # metaverse's shared modules: the socket base, the bus, errors, wire, ...
ROOT = 7  # metaverse's composition root
ROOT_MODULES = {"metaverse.asgi", "metaverse.routing", "metaverse.urls", "metaverse.settings"}


def layer_of(module: str) -> int | None:
    top = module.split(".")[0]
    if top == "metaverse":
        return ROOT if module in ROOT_MODULES else FOUNDATION
    return LAYERS.get(top)


def imports_of(path: Path) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, node.lineno)] + [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
    return found


def runtime_modules() -> list[tuple[str, Path]]:
    modules = []
    for top in [*LAYERS, "metaverse"]:
        for path in sorted((BASE_DIR / top).rglob("*.py")):
            parts = path.relative_to(BASE_DIR).with_suffix("").parts
            if "tests" in parts or "migrations" in parts:
                continue
            modules.append((".".join(part for part in parts if part != "__init__"), path))
    return modules


def wrong_way_imports() -> list[str]:
    wrong = []
    for module, path in runtime_modules():
        here = layer_of(module)
        for imported, line in imports_of(path):
            there = layer_of(imported)
            if here is None or there is None or here == ROOT:
                continue
            same_app = imported.split(".")[0] == module.split(".")[0]
            if there == ROOT or (there >= here and not same_app):
                wrong.append(f"{path.relative_to(BASE_DIR)}:{line} imports {imported}")
    return sorted(set(wrong))


def test_every_import_goes_down_the_layers():
    assert wrong_way_imports() == []


def test_a_wrong_way_import_is_found(tmp_path, monkeypatch):
    """The walk itself: a module of the world app importing chat is reported."""
    fake = tmp_path / "world"
    fake.mkdir()
    (fake / "uses_chat.py").write_text("from chat.services import message_post\n")
    monkeypatch.setattr("metaverse.tests.test_layers.BASE_DIR", tmp_path)
    assert wrong_way_imports() == [
        "world/uses_chat.py:1 imports chat.services",
        "world/uses_chat.py:1 imports chat.services.message_post",
    ]
