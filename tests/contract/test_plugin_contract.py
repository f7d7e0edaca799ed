"""A council that is not installed, registered inside the test, runs end to end:
the contract is the hooks and the procedure model, not any one council."""
import tomllib
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from core import plugin_manager
from core.plugin import CouncilPlugin
from core.plugin_manager import ENTRY_POINT_GROUP, CouncilNotInstalled, DuplicateCouncil
from core.runtime import concord
from core.testing import CLOSING, london, post_action, sign_in
from core.testing_council import CONTACTS, TESTSHIRE
from core.testing_council import plugin as testshire

TEST_COUNCIL = TESTSHIRE


def test_a_throwaway_council_runs_a_case_up_its_ladder(make_app, clock):
    app = make_app(PLUGINS=[testshire])
    client = app.test_client()
    assert {"slug": "testshire", "name": "Testshire Council", "nation": "ENG"} in client.get("/api/councils").get_json()

    clock.set(london(2026, 11, 27, 9, 0))  # a Friday
    sign_in(client, "testshire", "raiser@testshire.example.org")
    opened = client.post("/testshire/api/cases", json={
        "process": "disagreement", "answers": {"ward": "South", "what": "A decision I disagree with"},
    })
    assert opened.status_code == 201, opened.get_json()
    body = opened.get_json()
    assert body["reference"] == "TST-2026-0001"
    assert body["stage"]["slug"] == "first"
    assert body["stage"]["assignees"] == [{"name": "South Warden", "email": "south.warden@testshire.example.org"}]
    assert body["stage"]["due_on"] == "2026-12-01"

    sign_in(client, "testshire", "south.warden@testshire.example.org", "manager")
    escalated = post_action(client, f"/testshire/api/cases/{body['reference']}/actions", {"action": "escalate", "record": {"notes": "Could not agree"}})
    assert escalated.status_code == 200, escalated.get_json()
    assert escalated.get_json()["stage"]["slug"] == "second"
    assert escalated.get_json()["stage"]["due_on"] == "2026-12-02"

    sign_in(client, "testshire", "elder@testshire.example.org", "manager")
    resolved = post_action(client, f"/testshire/api/cases/{body['reference']}/actions", {"action": "resolved", "record": {"notes": "Agreed a plan", **CLOSING}})
    case = resolved.get_json()
    assert case["status"] == "closed" and case["outcome"] == "resolved"
    assert [s["outcome"] for s in case["stages"]] == ["escalate", "resolved"]


def test_a_warden_of_another_ward_cannot_act_or_even_see_the_case(make_app):
    app = make_app(PLUGINS=[testshire])
    client = app.test_client()
    sign_in(client, "testshire", "raiser@testshire.example.org")
    reference = client.post("/testshire/api/cases", json={
        "process": "disagreement", "answers": {"ward": "South", "what": "x"},
    }).get_json()["reference"]
    sign_in(client, "testshire", "north.warden@testshire.example.org", "manager")
    assert client.get(f"/testshire/api/cases/{reference}").status_code == 404
    assert post_action(client, f"/testshire/api/cases/{reference}/actions", {"action": "escalate", "record": {"notes": "x"}}).status_code == 404


def test_upgrading_a_council_does_not_reroute_its_open_cases(make_app):
    from dataclasses import replace

    client = make_app(PLUGINS=[testshire]).test_client()
    sign_in(client, "testshire", "raiser@testshire.example.org")
    reference = client.post("/testshire/api/cases", json={
        "process": "disagreement", "answers": {"ward": "North", "what": "x"},
    }).get_json()["reference"]

    # Version 2 sends new North cases straight to the Elder.
    process = TEST_COUNCIL.processes[0]
    only = replace(process.ladders[0], when="South")
    north = replace(only, slug="north", when="North", stages=only.stages[1:])
    v2 = replace(TEST_COUNCIL, version="2",
                 processes=(replace(process, ladder_by="ward", ladders=(only, north)),))

    upgraded = make_app(PLUGINS=[CouncilPlugin(v2, contacts=CONTACTS)], keep_data=True).test_client()
    sign_in(upgraded, "testshire", "north.warden@testshire.example.org", "manager")
    case = upgraded.get(f"/testshire/api/cases/{reference}").get_json()
    assert case["ladder"] == "only" and case["stage"]["slug"] == "first"
    escalated = post_action(upgraded, f"/testshire/api/cases/{reference}/actions", {"action": "escalate", "record": {"notes": "n"}}).get_json()
    assert escalated["stage"]["slug"] == "second"

    sign_in(upgraded, "testshire", "raiser@testshire.example.org")
    new = upgraded.post("/testshire/api/cases", json={
        "process": "disagreement", "answers": {"ward": "North", "what": "x"},
    }).get_json()
    assert new["stage"]["slug"] == "second", "new cases follow version 2"


# --- make_app is hermetic: only the councils a test names -----------------------------------


@pytest.fixture
def installed_testshire(tmp_path, monkeypatch):
    """A council distribution installed as ``testshire``, as ``new-council testshire`` once made: core's
    test council's slug, in its own module, found through its ``concord.councils`` entry point."""
    (tmp_path / "concord_installed_testshire.py").write_text(
        "from core.plugin import CouncilPlugin\n"
        "from core.testing_council import CONTACTS, TESTSHIRE\n"
        "plugin = CouncilPlugin(TESTSHIRE, contacts=CONTACTS)\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    point = EntryPoint(name="testshire", value="concord_installed_testshire:plugin", group=ENTRY_POINT_GROUP)
    installed = plugin_manager.entry_points
    monkeypatch.setattr(plugin_manager, "entry_points", lambda group: [*installed(group=group), point])
    assert "testshire" in plugin_manager.installed_councils()
    return point


def test_an_installed_council_a_test_does_not_name_is_not_loaded(make_app, councils, installed_testshire):
    app = make_app(PLUGINS=[testshire])  # as core's own tests do, beside an installed testshire
    state = concord(app)
    assert state.pm.get_plugin("testshire") is None, "the installed testshire was loaded"
    assert sorted(state.councils) == sorted([*councils, "testshire"])
    assert state.councils["testshire"] is TESTSHIRE
    client = app.test_client()
    assert client.get("/api/councils").status_code == 200

    # Asked for, it is loaded: all of them collide with core's testshire, by name it stands alone.
    with pytest.raises(DuplicateCouncil, match="council 'testshire' is registered twice"):
        make_app(PLUGINS=[testshire], LOAD_ENTRY_POINTS=True)
    named = concord(make_app(LOAD_ENTRY_POINTS=["testshire"]))
    assert named.pm.get_plugin("testshire") is not None and list(named.councils) == ["testshire"]


def test_a_council_named_but_not_installed_stops_the_app_saying_so(make_app):
    with pytest.raises(CouncilNotInstalled, match="no council plugin installed as 'fenshire'"):
        make_app(LOAD_ENTRY_POINTS=["fenshire"])


def test_core_tests_name_exactly_the_councils_of_the_plugins_folder(councils):
    declared = []
    for pyproject in sorted(Path(__file__).parents[2].glob("plugins/*/pyproject.toml")):
        declared += tomllib.loads(pyproject.read_text())["project"]["entry-points"][ENTRY_POINT_GROUP]
    assert sorted(councils) == sorted(declared)


def test_the_councils_and_their_tests_import_only_the_plugin_api_and_the_test_fixtures():
    import ast

    allowed = {"core.plugin", "core.testing"}
    found = {}
    paths = sorted(Path(__file__).parents[2].glob("plugins/*/**/*.py"))
    assert len(paths) >= 10, "every council's package and tests"
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                     else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if (name == "core" or name.startswith("core.")) and name not in allowed:
                    found.setdefault(str(path), []).append(name)
    assert not found, f"council code reaching into core's internals: {found}"
