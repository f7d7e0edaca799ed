"""Configuration is checked at start, with messages that say what to do."""
import subprocess
import sys
from pathlib import Path

import pytest

from core.app import create_app
from core.config import ConfigError

ROOT = Path(__file__).parents[1]


def production(**extra):
    return {"CONCORD_ENV": "production", "SECRET_KEY": "s" * 32, "DEV_SIGN_IN": False,
            "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1",
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://concord@127.0.0.1/concord", **extra}


def test_development_sign_in_cannot_be_enabled_in_production():
    with pytest.raises(ConfigError, match="CONCORD_DEV_SIGN_IN is on with CONCORD_ENV=production"):
        create_app(production(DEV_SIGN_IN=True))


def test_production_needs_a_secret_key_and_postgresql():
    with pytest.raises(ConfigError, match="SECRET_KEY is required"):
        create_app(production(SECRET_KEY=None))
    with pytest.raises(ConfigError, match="DATABASE_URL must point at PostgreSQL"):
        create_app(production(SQLALCHEMY_DATABASE_URI="sqlite:///x.db"))


def test_production_has_no_development_sign_in_routes():
    client = create_app(production()).test_client()
    assert client.get("/westdunbartonshire/dev/sign-in").status_code == 404
    assert client.post("/westdunbartonshire/api/dev/session",
                       json={"email": "a@example.org", "role": "safeguarding-lead"}).status_code == 404


def test_the_wsgi_entry_point_refuses_to_start_with_a_clear_message(tmp_path):
    env = {"CONCORD_ENV": "production", "CONCORD_DEV_SIGN_IN": "1", "SECRET_KEY": "x" * 32,
           "DATABASE_URL": "postgresql+psycopg://concord@127.0.0.1/concord", "PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "Concord cannot start: CONCORD_DEV_SIGN_IN is on with CONCORD_ENV=production" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_environment_name_is_refused():
    with pytest.raises(ConfigError, match="CONCORD_ENV must be one of development, production"):
        create_app({"CONCORD_ENV": "staging"})


def test_mail_and_broker_settings_are_checked_at_start():
    with pytest.raises(ConfigError, match="CONCORD_MAIL_TRANSPORT=smtp needs SMTP_HOST"):
        create_app(production(SMTP_HOST=None))
    with pytest.raises(ConfigError, match="dev-outbox keeps mail in the database"):
        create_app(production(MAIL_TRANSPORT="dev-outbox"))
    with pytest.raises(ConfigError, match="'pigeon' is not a transport here; choose one of dev-outbox, notify, smtp"):
        create_app(production(MAIL_TRANSPORT="pigeon"))
    with pytest.raises(ConfigError, match="CONCORD_BROKER_URL must start with redis:// or amqp://"):
        create_app(production(BROKER_URL="kafka://127.0.0.1"))
