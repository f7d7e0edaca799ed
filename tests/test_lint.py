"""`make test` lints (ruff) and type-checks the plugin API (mypy) before it runs pytest, and a
lint error stops it."""

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[1]
BIN = Path(sys.executable).parent


def test_make_test_runs_the_linter_before_pytest():
    plan = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=120).stdout
    assert "ruff check" in plan and "mypy" in plan
    assert plan.index("ruff check") < plan.index("/pytest")


def test_an_unused_import_fails_the_lint_step(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")  # the project's ruff rules
    (tmp_path / "careless.py").write_text("import os\n\n\ndef hello():\n    return 'hello'\n")
    lint = subprocess.run(["make", "-f", str(ROOT / "Makefile"), "-C", str(tmp_path), "lint", f"BIN={BIN}"],
                          capture_output=True, text=True, timeout=120)
    assert lint.returncode != 0
    assert "F401" in lint.stdout and "careless.py" in lint.stdout


def test_the_plugin_api_type_checks():
    checked = subprocess.run([str(BIN / "mypy")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stdout
