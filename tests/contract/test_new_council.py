"""`flask concord new-council fenshire --nation ENG` writes a council distribution that installs,
appears in Concord, and whose own test passes.

Installing is real but kept out of this environment: pip builds the generated distribution and
installs it into a folder of the test's own (`pip install --target`), which the app and the
generated test then see through PYTHONPATH, so the entry point is found exactly as after
`pip install -e`, and no other test sees a sixth council.
"""

import json
import os
import subprocess
import sys
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from core import plugin_manager
from core.app import create_app
from core.plugin import RESERVED_COUNCIL_SLUGS
from core.plugin_manager import ENTRY_POINT_GROUP
from core.scaffold import files_for
from core.testing_council import TESTSHIRE

ROOT = Path(__file__).parents[2]


def scaffold(tmp_path, *args):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "scaffold-" * 4, "LOAD_ENTRY_POINTS": False})
    return app.test_cli_runner().invoke(args=["concord", "new-council", *args, "--into", str(tmp_path)])


def run(*command, **env):
    environ = {**os.environ, **env}
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=300)


@pytest.mark.services
def test_a_new_council_installs_appears_in_concord_and_its_test_passes(tmp_path):
    result = scaffold(tmp_path, "fenshire", "--nation", "ENG")
    assert result.exit_code == 0, result.output
    made = tmp_path / "fenshire"
    assert sorted(str(p.relative_to(made)) for p in made.rglob("*") if p.is_file()) == [
        "README.md", "concord_fenshire/__init__.py", "concord_fenshire/directory.csv", "pyproject.toml",
        "tests/test_fenshire.py",
    ]
    assert "| the procedure says | Concord does | where |" in (made / "README.md").read_text()
    assert 'dependencies = ["concord>=0.1,<0.2"]' in (made / "pyproject.toml").read_text()
    people = (made / "concord_fenshire" / "directory.csv").read_text().splitlines()[1:]
    assert people and all(line.endswith("@fenshire.example.org") for line in people)

    site = tmp_path / "site"
    installed = run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(made))
    assert installed.returncode == 0, installed.stderr

    listed = run(sys.executable, "-c", (
        "import json; from core.app import create_app\n"
        "app = create_app({'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x' * 40})\n"
        "print(json.dumps(app.test_client().get('/api/councils').get_json()))"
    ), PYTHONPATH=str(site))
    assert listed.returncode == 0, listed.stderr
    councils = json.loads(listed.stdout.strip().splitlines()[-1])
    assert {"slug": "fenshire", "name": "Fenshire Council", "nation": "ENG"} in councils

    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=made, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert " passed" in tested.stdout and "failed" not in tested.stdout


def test_a_scottish_council_counts_st_andrews_day():
    english = files_for("fenshire", "ENG", "Fenshire Council", "FEN")["tests/test_fenshire.py"]
    scottish = files_for("fenshire", "SCT", "Fenshire Council", "FEN")["tests/test_fenshire.py"]
    assert '"2026-12-01"' in english and '"2026-12-02"' in scottish


def test_new_council_refuses_a_folder_that_exists_and_a_bad_slug(tmp_path):
    (tmp_path / "fenshire").mkdir()
    assert "already exists" in scaffold(tmp_path, "fenshire", "--nation", "ENG").output
    assert scaffold(tmp_path, "Fen-Shire", "--nation", "ENG").exit_code != 0
    assert scaffold(tmp_path, "otherton", "--nation", "WLS").exit_code != 0


@pytest.mark.parametrize("slug, why", [
    ("testshire", "it is the council of Concord's own tests (core.testing_council)"),
    ("api", "Concord serves its own pages at /api"),
    ("learning", "Concord serves its own pages at /learning"),
])
def test_new_council_refuses_a_slug_core_reserves(tmp_path, slug, why):
    result = scaffold(tmp_path, slug, "--nation", "ENG")
    assert result.exit_code == 2, result.output
    assert f"'{slug}' is reserved: {why}. Choose another slug" in result.output
    assert not (tmp_path / slug).exists()


def test_the_reserved_slugs_are_cores_test_council_and_every_first_part_of_cores_paths():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "scaffold-" * 4, "LOAD_ENTRY_POINTS": False})
    paths = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()} - {"", "<council>"}
    assert paths and paths <= set(RESERVED_COUNCIL_SLUGS), paths - set(RESERVED_COUNCIL_SLUGS)
    assert TESTSHIRE.slug in RESERVED_COUNCIL_SLUGS
    assert set(RESERVED_COUNCIL_SLUGS) == paths | {TESTSHIRE.slug}, "a reserved slug core no longer needs"


def test_new_council_refuses_the_slug_of_a_council_already_installed(tmp_path, monkeypatch):
    fenshire = EntryPoint(name="fenshire", value="concord_fenshire:plugin", group=ENTRY_POINT_GROUP)
    real = plugin_manager.entry_points
    monkeypatch.setattr(plugin_manager, "entry_points", lambda group: [*real(group=group), fenshire])
    result = scaffold(tmp_path, "fenshire", "--nation", "ENG")
    assert result.exit_code == 2, result.output
    assert ("a council 'fenshire' is already installed (concord.councils entry point 'concord_fenshire:plugin'): "
            "choose another slug, or uninstall that one first") in " ".join(result.output.split())
    assert not (tmp_path / "fenshire").exists()
    assert scaffold(tmp_path, "fenshires", "--nation", "ENG").exit_code == 0
