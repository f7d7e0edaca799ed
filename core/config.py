"""Configuration from environment variables, checked before the app starts."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

ENVIRONMENTS = ("development", "production")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and what to do."""


def from_environment(environ=os.environ) -> dict:
    env = environ.get("CONCORD_ENV", "development")
    instance = Path(environ.get("CONCORD_INSTANCE", Path.cwd() / "instance"))
    return {
        "CONCORD_ENV": env,
        "INSTANCE_DIR": str(instance),
        "SESSION_REDIS_URL": environ.get("CONCORD_SESSION_REDIS_URL") or None,
        "SECRET_KEY": environ.get("SECRET_KEY") or (None if env == "production" else secrets.token_hex(32)),
        "SQLALCHEMY_DATABASE_URI": environ.get("DATABASE_URL", f"sqlite:///{instance / 'concord.db'}"),
        "DEV_SIGN_IN": _flag(environ.get("CONCORD_DEV_SIGN_IN"), default=env != "production"),
        "BASE_URL": environ.get("CONCORD_BASE_URL", "http://localhost:5000"),
        "ASSETS_DIR": environ.get("CONCORD_ASSETS_DIR"),
        "BROKER_URL": environ.get("CONCORD_BROKER_URL") or None,
        "SESSION_IDLE_MINUTES": int(environ.get("CONCORD_SESSION_IDLE_MINUTES", "30")),
        "SESSION_MAX_HOURS": int(environ.get("CONCORD_SESSION_MAX_HOURS", "10")),
        "MAIL_TRANSPORT": environ.get("CONCORD_MAIL_TRANSPORT", "smtp" if env == "production" else "dev-outbox"),
        "MAIL_FROM": environ.get("CONCORD_MAIL_FROM", "concord@example.org"),
        "SMTP_HOST": environ.get("SMTP_HOST"),
        "SMTP_PORT": environ.get("SMTP_PORT", "25"),
        "SMTP_STARTTLS": _flag(environ.get("SMTP_STARTTLS"), default=False),
        "SMTP_USERNAME": environ.get("SMTP_USERNAME"),
        "SMTP_PASSWORD": environ.get("SMTP_PASSWORD"),
        "NOTIFY_API_KEY": environ.get("NOTIFY_API_KEY"),
        "NOTIFY_BASE_URL": environ.get("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"),
        "NOTIFY_TEMPLATES": _json(environ, "NOTIFY_TEMPLATES"),
    }


def _json(environ, name: str) -> dict:
    import json

    raw = environ.get(name)
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError as e:
        raise ConfigError(f"{name} must be JSON, e.g. {{\"leeds\": {{\"assignment\": \"<template id>\"}}}}: {e}")
    if not isinstance(value, dict):
        raise ConfigError(f"{name} must be a JSON object of council slug to kind to template id")
    return value


def _flag(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"expected a yes/no value, got {value!r}")


def validate(config: dict) -> None:
    env = config["CONCORD_ENV"]
    if env not in ENVIRONMENTS:
        raise ConfigError(f"CONCORD_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}")
    transport = config.get("MAIL_TRANSPORT")
    if env == "production":
        if config.get("DEV_SIGN_IN"):
            raise ConfigError(
                "CONCORD_DEV_SIGN_IN is on with CONCORD_ENV=production: development sign-in "
                "lets anyone act as anyone, so Concord will not start. Unset CONCORD_DEV_SIGN_IN."
            )
        if transport == "dev-outbox":
            raise ConfigError("CONCORD_MAIL_TRANSPORT=dev-outbox keeps mail in the database: use smtp or notify in production")
        if not config.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY is required in production: set it to a long random string")
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            raise ConfigError("DATABASE_URL must point at PostgreSQL in production (postgresql+psycopg://…)")
    broker = config.get("BROKER_URL")
    if broker and not broker.startswith(("redis://", "rediss://", "amqp://", "amqps://")):
        raise ConfigError(f"CONCORD_BROKER_URL must start with redis:// or amqp://, not {broker.split(':')[0]}://")
    if transport == "smtp" and not config.get("SMTP_HOST"):
        raise ConfigError("CONCORD_MAIL_TRANSPORT=smtp needs SMTP_HOST (and SMTP_PORT, default 25)")
    if transport == "notify" and not config.get("NOTIFY_API_KEY"):
        raise ConfigError("CONCORD_MAIL_TRANSPORT=notify needs NOTIFY_API_KEY and NOTIFY_TEMPLATES")
