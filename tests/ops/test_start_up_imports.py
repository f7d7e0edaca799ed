"""What a process pays for at start-up: ``create_app()`` leaves the machinery only some processes
use (migrations, OIDC clients, the directory import's address checker) and the mapper configuration
to first use. Run in a fresh interpreter, as gunicorn, the worker and the CLI start."""
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]

PROBE = """
import json, sys
from core.app import create_app
from core.model.records import db
create_app()
print(json.dumps({"modules": sorted(m for m in ("alembic", "flask_migrate", "authlib", "email_validator")
                                    if m in sys.modules),
                  "mappers_configured": not db.Model.registry._new_mappers}))
"""


def test_create_app_imports_no_migration_oidc_or_address_checking_machinery(tmp_path):
    env = {**os.environ, "CONCORD_INSTANCE": str(tmp_path), "CONCORD_ENV": "development",
           "SECRET_KEY": "start-up-imports-test-" * 3,
           "DATABASE_URL": "postgresql+psycopg://concord@127.0.0.1:5432/concord"}  # made, never connected
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=str(ROOT), capture_output=True, text=True,
                         check=True)
    found = json.loads(out.stdout.strip().splitlines()[-1])
    assert found["modules"] == []
    assert found["mappers_configured"] is False, "configured at first use (or by gunicorn.conf.py in the master)"
