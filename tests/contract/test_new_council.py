"""`flask concord new-council testshire --nation ENG` writes a council distribution that installs,
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
from pathlib import Path

import pytest

from core.app import create_app
from core.scaffold import files_for

ROOT = Path(__file__).parents[2]


def scaffold(tmp_path, *args):
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "scaffold-" * 4})
    return app.test_cli_runner().invoke(args=["concord", "new-council", *args, "--into", str(tmp_path)])


def run(*command, **env):
    environ = {**os.environ, **env}
    return subprocess.run(command, capture_output=True, text=True, env=environ, timeout=300)


@pytest.mark.services
def test_a_new_council_installs_appears_in_concord_and_its_test_passes(tmp_path):
    result = scaffold(tmp_path, "testshire", "--nation", "ENG")
    assert result.exit_code == 0, result.output
    made = tmp_path / "testshire"
    assert sorted(str(p.relative_to(made)) for p in made.rglob("*") if p.is_file()) == [
        "README.md", "concord_testshire/__init__.py", "concord_testshire/directory.csv", "pyproject.toml",
        "tests/test_testshire.py",
    ]
    assert "| the procedure says | Concord does | where |" in (made / "README.md").read_text()
    assert 'dependencies = ["concord>=0.1,<0.2"]' in (made / "pyproject.toml").read_text()
    people = (made / "concord_testshire" / "directory.csv").read_text().splitlines()[1:]
    assert people and all(line.endswith("@testshire.example.org") for line in people)

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
    assert {"slug": "testshire", "name": "Testshire Council", "nation": "ENG"} in councils

    tested = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=made, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(site)},
    )
    assert tested.returncode == 0, tested.stdout + tested.stderr
    assert " passed" in tested.stdout and "failed" not in tested.stdout


def test_a_scottish_council_counts_st_andrews_day():
    english = files_for("testshire", "ENG", "Testshire Council", "TST")["tests/test_testshire.py"]
    scottish = files_for("testshire", "SCT", "Testshire Council", "TST")["tests/test_testshire.py"]
    assert '"2026-12-01"' in english and '"2026-12-02"' in scottish


def test_new_council_refuses_a_folder_that_exists_and_a_bad_slug(tmp_path):
    (tmp_path / "testshire").mkdir()
    assert "already exists" in scaffold(tmp_path, "testshire", "--nation", "ENG").output
    assert scaffold(tmp_path, "Test-Shire", "--nation", "ENG").exit_code != 0
    assert scaffold(tmp_path, "otherton", "--nation", "WLS").exit_code != 0
