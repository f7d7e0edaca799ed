"""Configuration from environment variables, checked before the app starts.

Every refusal is a ``ConfigError`` whose message names the setting and says
what to do; ``wsgi.py`` and the ``concord`` command print it without a
traceback. Production is chosen explicitly: with no ``CONCORD_ENV``, a
PostgreSQL database or an SMTP relay is taken as a sign that someone meant
production and forgot to say so.
"""
from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "production")
MIN_SECRET_BYTES = 32
LOG_FORMATS = ("text", "json")

# config key: (environment variable, default, smallest, largest)
INTEGERS = {
    "SESSION_IDLE_MINUTES": ("CONCORD_SESSION_IDLE_MINUTES", 30, 1, 24 * 60),
    "SESSION_MAX_HOURS": ("CONCORD_SESSION_MAX_HOURS", 10, 1, 7 * 24),
    "SMTP_PORT": ("SMTP_PORT", 25, 1, 65535),
    "SENT_MAIL_DAYS": ("CONCORD_SENT_MAIL_DAYS", 30, 1, 3650),
    "DEV_MAIL_DAYS": ("CONCORD_DEV_MAIL_DAYS", 3, 1, 365),
    "OIDC_TIMEOUT_SECONDS": ("CONCORD_SSO_TIMEOUT_SECONDS", 10, 1, 60),
}


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


def from_environment(environ=os.environ) -> dict:
    chosen = environ.get("CONCORD_ENV") or None
    env = chosen or "development"
    instance = Path(environ.get("CONCORD_INSTANCE", Path.cwd() / "instance"))
    config = {
        # None until validate(): it decides whether an unset CONCORD_ENV may mean development.
        "CONCORD_ENV": chosen,
        "INSTANCE_DIR": str(instance),
        "SESSION_REDIS_URL": environ.get("CONCORD_SESSION_REDIS_URL") or None,
        "SECRET_KEY": environ.get("SECRET_KEY") or (None if env == "production" else secrets.token_hex(32)),
        "SQLALCHEMY_DATABASE_URI": environ.get("DATABASE_URL", f"sqlite:///{instance / 'concord.db'}"),
        # None until validate(): on by default only in development on the embedded database and outbox.
        "DEV_SIGN_IN": _flag(environ, "CONCORD_DEV_SIGN_IN", default=None),
        "BASE_URL": environ.get("CONCORD_BASE_URL") or (None if env == "production" else "http://localhost:5000"),
        "ASSETS_DIR": environ.get("CONCORD_ASSETS_DIR"),
        "BROKER_URL": environ.get("CONCORD_BROKER_URL") or None,
        "MAIL_TRANSPORT": environ.get("CONCORD_MAIL_TRANSPORT", "smtp" if env == "production" else "dev-outbox"),
        "MAIL_FROM": environ.get("CONCORD_MAIL_FROM", "concord@example.org"),
        "SMTP_HOST": environ.get("SMTP_HOST") or None,
        "SMTP_STARTTLS": _flag(environ, "SMTP_STARTTLS", default=False),
        "SMTP_SSL": _flag(environ, "SMTP_SSL", default=False),
        "SMTP_USERNAME": environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": environ.get("SMTP_PASSWORD"),
        "NOTIFY_API_KEY": environ.get("NOTIFY_API_KEY"),
        "NOTIFY_BASE_URL": environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "NOTIFY_TEMPLATES": _json(environ, "NOTIFY_TEMPLATES"),
        "METRICS": _flag(environ, "CONCORD_METRICS", default=False),
        "METRICS_TOKEN": environ.get("CONCORD_METRICS_TOKEN") or None,
        "LOG_FORMAT": environ.get("CONCORD_LOG_FORMAT", "text"),
    }
    for key, (name, default, low, high) in INTEGERS.items():
        config[key] = _integer(environ.get(name, default), name, low, high)
    return config


def _json(environ, name: str) -> dict:
    raw = environ.get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise ConfigError(f"{name} must be JSON, e.g. {{\"leeds\": {{\"assignment\": \"<template id>\"}}}}: {e}") from None
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object of council slug to kind to template id")
    return value


def _flag(environ, name: str, default: bool | None) -> bool | None:
    value = environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be on or off (yes/no, 1/0), not {value!r}")


def _integer(value, name: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {value!r}") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {number}")
    return number


def validate(config: dict) -> None:
    """Refuse a configuration that would run unsafely; fills in ``CONCORD_ENV``."""
    env = config.get("CONCORD_ENV")
    if env is None:
        _refuse_implicit_development(config)
        env = config["CONCORD_ENV"] = "development"
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CONCORD_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    for key, (name, default, low, high) in INTEGERS.items():
        config[key] = _integer(config.get(key, default), name, low, high)
    _check_database_url(config)
    if config.get("DEV_SIGN_IN") is None:
        # Development sign-in lets anyone be anyone: against a real database or a real relay it must be
        # asked for (CONCORD_DEV_SIGN_IN=on), never on because CONCORD_ENV says development.
        config["DEV_SIGN_IN"] = env == "development" and not _service_signs(config)
    _check_secret_key(config, env)
    _check_base_url(config, env)
    transport = config.get("MAIL_TRANSPORT")
    if env == "production":
        if config.get("DEV_SIGN_IN"):
            raise ConfigError(
                "CONCORD_DEV_SIGN_IN is on with CONCORD_ENV=production: development sign-in "
                "lets anyone act as anyone, so Concord will not start. Unset CONCORD_DEV_SIGN_IN."
            )
        if transport == "dev-outbox":
            raise ConfigError("CONCORD_MAIL_TRANSPORT=dev-outbox keeps mail in the database: use smtp or notify in production")
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            raise ConfigError("DATABASE_URL must point at PostgreSQL in production (postgresql+psycopg://…)")
        if not config.get("BROKER_URL"):
            raise ConfigError(
                "CONCORD_BROKER_URL is required in production: without a broker, messages wait for a worker "
                "that does not exist. Set it to redis://host:6379/0 or amqp://user:pass@host:5672.")
    broker = config.get("BROKER_URL")
    if broker and not broker.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        raise ConfigError(f"CONCORD_BROKER_URL must start with redis:// or amqp://, not {broker.split(':')[0]}://")
    if transport == "smtp" and not config.get("SMTP_HOST"):
        raise ConfigError("CONCORD_MAIL_TRANSPORT=smtp needs SMTP_HOST (and SMTP_PORT, default 25)")
    if transport == "notify" and not config.get("NOTIFY_API_KEY"):
        raise ConfigError("CONCORD_MAIL_TRANSPORT=notify needs NOTIFY_API_KEY and NOTIFY_TEMPLATES")
    _check_smtp_tls(config)
    if config.get("LOG_FORMAT", "text") not in LOG_FORMATS:
        raise ConfigError(f"CONCORD_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {config['LOG_FORMAT']!r}")


def _service_signs(config: dict) -> list[str]:
    signs = []
    if config.get("SQLALCHEMY_DATABASE_URI", "").startswith("postgresql"):
        signs.append("DATABASE_URL points at PostgreSQL")
    if config.get("SMTP_HOST"):
        signs.append("SMTP_HOST is set")
    return signs


def _refuse_implicit_development(config: dict) -> None:
    signs = _service_signs(config)
    if signs:
        raise ConfigError(
            f"CONCORD_ENV is not set, but {' and '.join(signs)}: say which this is. Set CONCORD_ENV=production "
            "for a live service (or CONCORD_ENV=development to try Concord against these services).")


SUPPORTED_DATABASES = ("postgresql", "sqlite")


def _check_database_url(config: dict) -> None:
    url = config.get("SQLALCHEMY_DATABASE_URI") or ""
    scheme = url.split(":", 1)[0].split("+", 1)[0].lower()
    if scheme not in SUPPORTED_DATABASES:
        raise ConfigError(f"DATABASE_URL must be a PostgreSQL address (postgresql+psycopg://user@host/name) or, to try "
                          f"Concord, an SQLite file (sqlite:///path/concord.db): {scheme or 'this'} is not supported")


# Words of the placeholder in deploy/concord.env.example and its like: a key anyone can read.
PLACEHOLDER_WORDS = ("change-me", "changeme", "replace-me", "your-secret", "placeholder", "example")
MIN_SECRET_DISTINCT = 16


def _check_secret_key(config: dict, env: str) -> None:
    key = config.get("SECRET_KEY")
    if not key:
        raise ConfigError("SECRET_KEY is required in production: set it to a long random string "
                          "(python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    size = len(key.encode() if isinstance(key, str) else key)
    # Refused in every environment: a short development key copied to a live service would sign its sessions.
    if size < MIN_SECRET_BYTES:
        raise ConfigError(f"SECRET_KEY is {size} bytes: it must be at least {MIN_SECRET_BYTES} bytes of random text "
                          "(python -c 'import secrets; print(secrets.token_urlsafe(48))'), or unset in development")
    text = key.decode(errors="replace") if isinstance(key, bytes) else key
    if any(word in text.lower() for word in PLACEHOLDER_WORDS):
        raise ConfigError("SECRET_KEY is still the example's placeholder: anyone who has read the example could sign "
                          "sessions. Set it to random text (python -c 'import secrets; print(secrets.token_urlsafe(48))')")
    if env == "production" and len(set(text)) < MIN_SECRET_DISTINCT:
        raise ConfigError(f"SECRET_KEY has only {len(set(text))} different characters: it is not random. Set it to "
                          "random text (python -c 'import secrets; print(secrets.token_urlsafe(48))')")


def _check_base_url(config: dict, env: str) -> None:
    url = config.get("BASE_URL")
    if not url:
        raise ConfigError("CONCORD_BASE_URL is required in production: the https:// address people open, "
                          "used for the links in emails (e.g. https://concord.example.org)")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"CONCORD_BASE_URL must be an address such as https://concord.example.org, not {url!r}")
    if env == "production" and parts.scheme != "https":
        raise ConfigError(f"CONCORD_BASE_URL must start with https:// in production, not {parts.scheme}://: "
                          "links in emails would send people to an unencrypted address")


def _check_smtp_tls(config: dict) -> None:
    if config.get("SMTP_STARTTLS") and config.get("SMTP_SSL"):
        raise ConfigError("SMTP_STARTTLS and SMTP_SSL are both on: choose one (SMTP_SSL for a relay on port 465, "
                          "SMTP_STARTTLS for port 587)")
    if config.get("SMTP_USERNAME") and not (config.get("SMTP_STARTTLS") or config.get("SMTP_SSL")):
        raise ConfigError("SMTP_USERNAME is set without SMTP_STARTTLS or SMTP_SSL: the password would cross the "
                          "network in clear. Turn one of them on.")
