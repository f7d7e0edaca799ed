"""Every hook of the plugin contract is driven by a test the way a plugin would drive it, as datasette
requires of its own hooks (``test_plugin_hooks_have_tests``): a hook added to ``core/hookspecs.py``
needs a ``test_hook_<hook>`` test somewhere in core's or the councils' tests."""

import ast
import inspect
from pathlib import Path

import pytest

from core import hookspecs

ROOT = Path(__file__).parents[2]
HOOKS = sorted(name for name, f in inspect.getmembers(hookspecs, inspect.isfunction)
               if hasattr(f, "concord_spec"))


def hook_tests() -> dict[str, str]:
    """``test_hook_…`` functions of every test file, by name, with the file each is in."""
    found = {}
    for path in sorted([*ROOT.glob("tests/**/test_*.py"), *ROOT.glob("plugins/*/tests/test_*.py")]):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_hook_"):
                found[node.name] = str(path.relative_to(ROOT))
    return found


def test_the_contract_has_hooks():
    assert "concord_case_changed" in HOOKS and "concord_email_template" in HOOKS


@pytest.mark.parametrize("hook", HOOKS)
def test_plugin_hooks_have_tests(hook):
    assert f"test_hook_{hook}" in hook_tests(), f"plugin hook {hook} has no test_hook_{hook} test"


def test_every_hook_test_names_a_hook():
    stray = {name: where for name, where in hook_tests().items() if name.removeprefix("test_hook_") not in HOOKS}
    assert not stray, f"test_hook_ tests of no hook in core/hookspecs.py: {stray}"
