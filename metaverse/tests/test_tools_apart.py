"""tools/ (the generators and the load test) stays apart from the runtime: the Docker image leaves
it out, so nothing the server or its tests import may import it."""

import ast
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
RUNTIME = ["accounts", "players", "world", "chat", "moderation", "signaling", "frontend", "metaverse"]
# The one exception: `manage.py loadtest` imports the load test inside handle(), when it is run.
LAZY = BASE_DIR / "world" / "management" / "commands" / "loadtest.py"


def test_the_docker_image_leaves_tools_out():
    patterns = {line.strip().strip("/") for line in (BASE_DIR / ".dockerignore").read_text().splitlines()}
    assert "tools" in patterns


def imports_of_tools(tree: ast.AST, *, inside_function: bool = False) -> list[tuple[int, bool]]:
    """(line, inside a function) of every import of tools or a module under it."""
    found = []
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [node.module or ""] if node.level == 0 else []
        else:
            names = []
        if any(name == "tools" or name.startswith("tools.") for name in names):
            found.append((node.lineno, inside_function))
        nested = inside_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        found += imports_of_tools(node, inside_function=nested)
    return found


def test_no_runtime_module_imports_tools():
    paths = [BASE_DIR / "manage.py", BASE_DIR / "conftest.py"]
    paths += [path for app in RUNTIME for path in sorted((BASE_DIR / app).rglob("*.py"))]
    offenders = []
    for path in paths:
        for line, lazily in imports_of_tools(ast.parse(path.read_text(encoding="utf-8"))):
            if not (path == LAZY and lazily):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{line}")
    assert not offenders, f"the runtime imports tools/, which the image does not have: {offenders}"
    assert imports_of_tools(ast.parse(LAZY.read_text(encoding="utf-8"))), "the loadtest command no longer uses tools/"
