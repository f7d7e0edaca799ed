"""Core's tests run with the councils of this repository's ``plugins/`` folder, named by their entry
points, and with whatever council a test registers itself (``make_app(PLUGINS=[...])``): never with
another council that happens to be installed (``core.testing.councils``)."""

import tomllib
from pathlib import Path

import pytest

PLUGINS = Path(__file__).parents[1] / "plugins"


def repository_councils() -> tuple[str, ...]:
    """The ``concord.councils`` entry point names declared by ``plugins/*/pyproject.toml``."""
    names: list[str] = []
    for pyproject in sorted(PLUGINS.glob("*/pyproject.toml")):
        declared = tomllib.loads(pyproject.read_text())["project"].get("entry-points", {})
        names += declared.get("concord.councils", {})
    return tuple(names)


@pytest.fixture
def councils():
    return repository_councils()
