"""docs/plugins.md keeps up with the plugin contract."""
import inspect
from pathlib import Path

from core import hookspecs

DOCS = (Path(__file__).parents[2] / "docs" / "plugins.md").read_text()
HOOKS = [name for name, f in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("concord_")]


def test_every_hook_has_a_section_with_an_example_in_the_plugin_docs():
    assert HOOKS
    for name in HOOKS:
        assert f"### {name}\n" in DOCS, f"docs/plugins.md has no section for {name}"
        section = DOCS.split(f"### {name}\n", 1)[1].split("\n### ", 1)[0]
        assert f"def {name}(" in section, f"the {name} section has no example implementation"


def test_every_hook_has_a_docstring_saying_when_it_runs():
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert "Called" in doc, f"{name} docstring should say when it is called"
