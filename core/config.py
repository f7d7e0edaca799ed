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
        "SECRET_KEY": environ.get("SECRET_KEY") or (None if env == "production" else secrets.token_hex(32)),
        "SQLALCHEMY_DATABASE_URI": environ.get("DATABASE_URL", f"sqlite:///{instance / 'concord.db'}"),
        "DEV_SIGN_IN": _flag(environ.get("CONCORD_DEV_SIGN_IN"), default=env != "production"),
        "BASE_URL": environ.get("CONCORD_BASE_URL", "http://localhost:5000"),
        "ASSETS_DIR": environ.get("CONCORD_ASSETS_DIR"),
    }


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
    if env == "production":
        if config.get("DEV_SIGN_IN"):
            raise ConfigError(
                "CONCORD_DEV_SIGN_IN is on with CONCORD_ENV=production: development sign-in "
                "lets anyone act as anyone, so Concord will not start. Unset CONCORD_DEV_SIGN_IN."
            )
        if not config.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY is required in production: set it to a long random string")
        if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
            raise ConfigError("DATABASE_URL must point at PostgreSQL in production (postgresql+psycopg://…)")
