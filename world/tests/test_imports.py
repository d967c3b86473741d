"""No two modules of the world app import each other, directly or round a longer circle."""

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def world_imports() -> dict[str, set[str]]:
    """Each module of world/ and the modules of world/ it imports, anywhere in its body."""
    modules = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in (ROOT / "world").rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)  # submodules
        graph[module] = {name for name in names if name in modules and name != module}
    return graph


def test_world_modules_import_each_other_in_one_direction_only():
    graph = world_imports()
    assert graph["world.persistence"]  # the walk sees imports
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        raise AssertionError(f"import cycle: {' -> '.join(error.args[1])}") from None


def test_only_the_setting_names_the_database_store():
    assert not [module for module, imported in world_imports().items() if "world.persistence" in imported]
