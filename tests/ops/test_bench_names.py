"""`make bench` runs no test, so a module that moved would only be noticed there: every name the
benchmarks import from core, anywhere in their source (imports inside functions too), must exist."""
import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).parents[2] / "bench"


def imports_from_core(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and not node.level and (node.module or "").split(".")[0] == "core":
            for alias in node.names:
                yield node.module, alias.name


@pytest.mark.parametrize("path", sorted(BENCH.glob("*.py")), ids=lambda p: p.name)
def test_every_name_a_benchmark_imports_from_core_exists(path):
    missing = []
    for module, name in imports_from_core(path):
        found = importlib.import_module(module)
        if not hasattr(found, name):
            try:
                importlib.import_module(f"{module}.{name}")
            except ModuleNotFoundError:
                missing.append(f"{module}.{name}")
    assert missing == [], f"{path.name} imports what core no longer has"
