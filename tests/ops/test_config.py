"""Configuration is checked at start, with messages that say what to do."""
import subprocess
import sys
from pathlib import Path

import pytest

from core.app import create_app
from core.config import ConfigError

ROOT = Path(__file__).parents[2]
RANDOM_KEY = "Kq3-vX9_pL2mZ8rT5wN1yB7cF4hJ6dG0sA"  # what secrets.token_urlsafe gives: many different characters


def production(**extra):
    return {"CONCORD_ENV": "production", "SECRET_KEY": RANDOM_KEY, "DEV_SIGN_IN": False,
            "MAIL_TRANSPORT": "smtp", "SMTP_HOST": "127.0.0.1", "BASE_URL": "https://concord.example.org",
            "BROKER_URL": "redis://127.0.0.1:6379/0",
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
    env = {"CONCORD_ENV": "production", "CONCORD_DEV_SIGN_IN": "1", "SECRET_KEY": RANDOM_KEY,
           "CONCORD_BASE_URL": "https://concord.example.org", "CONCORD_BROKER_URL": "redis://127.0.0.1:6379/0",
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


# The environment of a correct production deployment; each refusal below changes one thing.
PRODUCTION_ENV = {
    "CONCORD_ENV": "production", "SECRET_KEY": RANDOM_KEY,
    "DATABASE_URL": "postgresql+psycopg://concord@127.0.0.1/concord",
    "CONCORD_BASE_URL": "https://concord.example.org", "CONCORD_BROKER_URL": "redis://127.0.0.1:6379/0",
    "CONCORD_MAIL_TRANSPORT": "smtp", "SMTP_HOST": "relay.example.org", "SMTP_PORT": "587",
    "SMTP_STARTTLS": "on", "SMTP_USERNAME": "concord", "SMTP_PASSWORD": "relay-password",
}
UNSET = None

REFUSALS = {
    "short secret key": ({"SECRET_KEY": "x"}, "SECRET_KEY is 1 bytes: it must be at least 32 bytes"),
    "the example's placeholder key": ({"SECRET_KEY": "change-me-to-48-random-characters-from-the-command-above"},
                                      "SECRET_KEY is still the example's placeholder"),
    "a key of one letter": ({"SECRET_KEY": "a" * 32}, "SECRET_KEY has only 1 different characters: it is not random"),
    "a MySQL database": ({"DATABASE_URL": "mysql+pymysql://concord@127.0.0.1/concord"},
                         "DATABASE_URL must be a PostgreSQL address (postgresql+psycopg://user@host/name) or, to try "
                         "Concord, an SQLite file (sqlite:///path/concord.db): mysql is not supported"),
    "an http issuer": ({"CONCORD_OIDC_WESTDUNBARTONSHIRE_ISSUER": "http://sso.example.org",
                        "CONCORD_OIDC_WESTDUNBARTONSHIRE_CLIENT_ID": "concord",
                        "CONCORD_OIDC_WESTDUNBARTONSHIRE_CLIENT_SECRET": "not-a-real-secret"},
                       "CONCORD_OIDC_WESTDUNBARTONSHIRE_ISSUER must be an https:// address in production"),
    "31-byte secret key": ({"SECRET_KEY": "k" * 31}, "SECRET_KEY is 31 bytes"),
    "no secret key": ({"SECRET_KEY": UNSET}, "SECRET_KEY is required in production"),
    "no base URL": ({"CONCORD_BASE_URL": UNSET}, "CONCORD_BASE_URL is required in production"),
    "http base URL": ({"CONCORD_BASE_URL": "http://concord.example.org"},
                      "CONCORD_BASE_URL must start with https:// in production"),
    "base URL without a host": ({"CONCORD_BASE_URL": "https://"}, "CONCORD_BASE_URL must be an address"),
    "no broker": ({"CONCORD_BROKER_URL": UNSET}, "CONCORD_BROKER_URL is required in production"),
    "idle minutes not a number": ({"CONCORD_SESSION_IDLE_MINUTES": "abc"},
                                  "CONCORD_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440, not 'abc'"),
    "negative idle minutes": ({"CONCORD_SESSION_IDLE_MINUTES": "-5"},
                              "CONCORD_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440, not -5"),
    "zero session hours": ({"CONCORD_SESSION_MAX_HOURS": "0"}, "CONCORD_SESSION_MAX_HOURS must be a whole number"),
    "SMTP port out of range": ({"SMTP_PORT": "70000"}, "SMTP_PORT must be a whole number from 1 to 65535"),
    "sent mail days not a number": ({"CONCORD_SENT_MAIL_DAYS": "a month"}, "CONCORD_SENT_MAIL_DAYS must be a whole"),
    "yes/no not yes or no": ({"SMTP_STARTTLS": "perhaps"}, "SMTP_STARTTLS must be on or off"),
    "SMTP password in clear": ({"SMTP_STARTTLS": UNSET}, "SMTP_USERNAME is set without SMTP_STARTTLS or SMTP_SSL"),
    "SMTP TLS twice": ({"SMTP_SSL": "on"}, "SMTP_STARTTLS and SMTP_SSL are both on"),
    "development sign-in": ({"CONCORD_DEV_SIGN_IN": "on"}, "CONCORD_DEV_SIGN_IN is on with CONCORD_ENV=production"),
    "SQLite": ({"DATABASE_URL": "sqlite:////tmp/concord.db"}, "DATABASE_URL must point at PostgreSQL"),
    "log format": ({"CONCORD_LOG_FORMAT": "xml"}, "CONCORD_LOG_FORMAT must be one of text, json"),
    "no environment with PostgreSQL": (
        {"CONCORD_ENV": UNSET, "SMTP_HOST": UNSET, "CONCORD_MAIL_TRANSPORT": UNSET},
        "CONCORD_ENV is not set, but DATABASE_URL points at PostgreSQL"),
    "no environment with an SMTP relay": (
        {"CONCORD_ENV": UNSET, "DATABASE_URL": UNSET}, "CONCORD_ENV is not set, but SMTP_HOST is set"),
}


def start(env):
    """Start Concord as gunicorn would (``import wsgi``) with exactly this environment."""
    env = {k: v for k, v in {**env, "PATH": "/usr/bin:/bin", "CONCORD_INSTANCE": "/tmp/concord-config-test"}.items()
           if v is not None}
    return subprocess.run([sys.executable, "-c", "import wsgi; print('started', wsgi.app.config['CONCORD_ENV'])"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("change", sorted(REFUSALS), ids=lambda name: name.replace(" ", "-"))
def test_production_start_up_refuses_each_unsafe_setting_and_names_it(change):
    overrides, message = REFUSALS[change]
    result = start({**PRODUCTION_ENV, **overrides})
    assert result.returncode == 1, result.stdout
    assert f"Concord cannot start: {message}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_correct_production_configuration_starts():
    result = start(PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started production"


def test_smtps_on_port_465_is_a_correct_production_configuration():
    result = start({**PRODUCTION_ENV, "SMTP_STARTTLS": "off", "SMTP_SSL": "on", "SMTP_PORT": "465"})
    assert result.returncode == 0, result.stderr


def test_development_is_still_the_default_on_a_laptop():
    result = start({"SECRET_KEY": UNSET})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started development"


def test_development_chosen_explicitly_may_use_postgresql_and_a_relay():
    result = start({"CONCORD_ENV": "development", "DATABASE_URL": "postgresql+psycopg://concord@127.0.0.1/concord",
                    "SMTP_HOST": "127.0.0.1"})
    assert result.returncode == 0, result.stderr


DEV_ROUTES = "import wsgi; print('dev sign-in', any(r.endpoint.startswith('dev_sign_in') for r in wsgi.app.url_map.iter_rules()))"


@pytest.mark.parametrize("services, asked, on", [
    ({}, None, True),
    ({"DATABASE_URL": "postgresql+psycopg://concord@127.0.0.1/concord"}, None, False),
    ({"SMTP_HOST": "127.0.0.1"}, None, False),
    ({"DATABASE_URL": "postgresql+psycopg://concord@127.0.0.1/concord", "SMTP_HOST": "127.0.0.1"}, "on", True),
])
def test_development_sign_in_against_real_services_is_off_unless_asked_for(services, asked, on):
    """Anyone may be anyone with development sign-in: against PostgreSQL or a relay it must be chosen."""
    env = {"CONCORD_ENV": "development", **services, "CONCORD_DEV_SIGN_IN": asked,
           "PATH": "/usr/bin:/bin", "CONCORD_INSTANCE": "/tmp/concord-config-test"}
    result = subprocess.run([sys.executable, "-c", DEV_ROUTES], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={k: v for k, v in env.items() if v is not None})
    assert result.stdout.strip() == f"dev sign-in {on}", result.stderr


def test_a_short_secret_key_is_refused_in_development_too():
    result = start({"CONCORD_ENV": "development", "SECRET_KEY": "dev"})
    assert "Concord cannot start: SECRET_KEY is 3 bytes" in result.stderr


def test_settings_given_in_code_are_checked_like_the_environment():
    with pytest.raises(ConfigError, match="CONCORD_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440, not -5"):
        create_app(production(SESSION_IDLE_MINUTES=-5))
    with pytest.raises(ConfigError, match="SECRET_KEY is 4 bytes"):
        create_app({"CONCORD_ENV": "development", "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": "sqlite://"})


@pytest.mark.parametrize("command", [
    ["flask", "--app", "wsgi", "concord", "scheduler"],
    ["flask", "--app", "wsgi", "db", "upgrade"],
    ["dramatiq", "core.worker", "--processes", "1", "--threads", "1"],
    ["gunicorn", "-c", "gunicorn.conf.py", "--bind", "127.0.0.1:0"],
], ids=lambda command: command[0] + "-" + command[-1])
def test_each_production_command_refuses_a_bad_number_without_a_traceback(command):
    env = {**PRODUCTION_ENV, "CONCORD_SESSION_IDLE_MINUTES": "abc", "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
           "CONCORD_INSTANCE": "/tmp/concord-config-test"}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Concord cannot start: CONCORD_SESSION_IDLE_MINUTES must be a whole number from 1 to 1440, not 'abc'" in output
    assert "Traceback" not in output


def test_gunicorn_runs_one_sync_process_per_core_threaded_only_when_told(monkeypatch):
    import os
    import runpy

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("CONCORD_WEB_THREADS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    shipped = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (shipped["worker_class"], shipped["workers"], shipped["threads"]) == ("sync", 2, 1)
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("CONCORD_WEB_THREADS", "2")
    told = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (told["worker_class"], told["workers"], told["threads"]) == ("gthread", 5, 2)
    monkeypatch.setenv("WEB_CONCURRENCY", "many")
    with pytest.raises(SystemExit, match="WEB_CONCURRENCY must be a whole number from 1 to 64, not 'many'"):
        runpy.run_path(str(ROOT / "gunicorn.conf.py"))
