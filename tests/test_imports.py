"""Core's layers, and no import circles in core/: every import that can run, including those inside functions, is
read from the source, and the graph of core's modules must have no cycle, neither among the
imports that run nor once the imports under ``if TYPE_CHECKING:`` (types named for mypy) are
added: a circle of types is a circle a reader has to walk too.

Each package (or top-level module) of core stands on one floor of ``LAYERS`` and imports only from its
own floor or below, so the packages read as the architecture from the ground up."""

import ast
from pathlib import Path

CORE = Path(__file__).parents[1] / "core"


def module_name(path: Path) -> str:
    parts = path.relative_to(CORE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in CORE.rglob("*.py") if "versions" not in p.parts}


def imports_of(name: str, path: Path, known: set[str], type_checking: bool = False) -> set[str]:
    """The core modules ``name`` imports, anywhere in its source (with ``type_checking``, for mypy too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(), str(path))
    for_type_checkers = {
        id(inner)
        for node in ast.walk(tree)
        if not type_checking and isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
        for inner in ast.walk(node)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in for_type_checkers:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            # ``from . import cases`` imports the module core.engine.cases, not just the package.
            submodules = {f"{target}.{alias.name}" for alias in node.names} & known
            found |= submodules or {target}
    return {m for m in found if m in known and m != name}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = "done"
        stack.pop()
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def graph(type_checking: bool = False) -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found), type_checking) for name, path in found.items()}


def test_core_has_no_import_cycle():
    cycle = cycle_in(graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_core_has_no_import_cycle_through_the_types_it_names():
    cycle = cycle_in(graph(type_checking=True))
    assert cycle is None, "import cycle (imports under TYPE_CHECKING included): " + " -> ".join(cycle)


#: Core's floors, from the ground up: a unit imports only from its own floor or lower ones.
LAYERS = (
    ("ground", {"core.config", "core.logs"}),
    ("the model", {"core.model"}),
    ("the plugin contract", {"core.hookspecs", "core.runtime", "core.plugin", "core.plugin_manager", "core.scaffold"}),
    ("the case engine", {"core.engine", "core.testing_council"}),
    ("delivery and forms", {"core.notify", "core.forms"}),
    ("reads and request plumbing", {"core.reads", "core.http", "core.scheduler"}),
    ("sign-in", {"core.auth"}),
    ("pages and API", {"core.web", "core.api", "core.cli"}),
    ("entry points", {"core.app", "core.worker", "core.testing", "core.__main__", "core.migrations", "core"}),
)


def unit_of(module: str) -> str:
    """The package (``core.engine``) or top-level module (``core.app``) a module belongs to."""
    return ".".join(module.split(".")[:2])


def floor_of(unit: str) -> int:
    for floor, (_, units) in enumerate(LAYERS):
        if unit in units:
            return floor
    raise AssertionError(f"{unit} stands on no floor of LAYERS: give it one")


def test_every_package_imports_only_from_its_own_floor_or_below():
    for name in modules():
        floor_of(unit_of(name))
    upward = sorted(
        f"{name} -> {target} ({LAYERS[floor_of(unit_of(name))][0]} -> {LAYERS[floor_of(unit_of(target))][0]})"
        for name, targets in graph(type_checking=True).items()
        for target in targets
        if floor_of(unit_of(target)) > floor_of(unit_of(name))
    )
    assert upward == [], "imports running up the layers:\n" + "\n".join(upward)


def test_the_layer_rule_catches_an_import_running_up():
    assert floor_of(unit_of("core.engine.cases")) < floor_of(unit_of("core.web.cases"))
    assert floor_of(unit_of("core.model.records")) == 1


def test_the_notification_path_never_imports_the_case_engine():
    edges = graph()
    for name in edges:
        if name.startswith("core.notify"):
            assert "core.engine.cases" not in edges[name], f"{name} imports core.engine.cases"


def test_the_walk_finds_a_cycle_hidden_in_a_function(tmp_path):
    # The checker itself: a loop through a function-level import is still a loop.
    graph = {"a": {"b"}, "b": set()}
    (tmp_path / "b.py").write_text("def late():\n    from a import x\n")
    graph["b"] = imports_of("b", tmp_path / "b.py", {"a", "b"})
    assert cycle_in(graph) == ["a", "b", "a"]
