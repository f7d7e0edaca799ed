"""Logging: secrets kept out (codes, states, tokens, passwords in URLs), JSON lines as an option.

``CONCORD_LOG_FORMAT=json`` writes one JSON object per line to stderr
(python-json-logger, from the production extra), for a log shipper.
"""
from __future__ import annotations

import logging
import re

SECRET_PARAMETER = re.compile(
    r"\b(code|state|nonce|id_token|access_token|refresh_token|code_verifier|token|password)=[^&\s\"']+")
URL_PASSWORD = re.compile(r"(?<=://)([^/\s:@]+):[^/\s@]+@")
BEARER = re.compile(r"\b(Bearer)\s+[A-Za-z0-9._~+/=-]+")
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"


def redact(message: str) -> str:
    message = SECRET_PARAMETER.sub(r"\1=[redacted]", message)
    message = URL_PASSWORD.sub(r"\1:[redacted]@", message)
    return BEARER.sub(r"\1 [redacted]", message)


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def json_formatter() -> logging.Formatter:
    from pythonjsonlogger.json import JsonFormatter

    return JsonFormatter(JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"})


def use_json(root: logging.Logger) -> None:
    """Every handler on the root logger writes JSON; one on stderr if there is none yet.

    Existing handlers (gunicorn's, the dramatiq command's) are reformatted
    rather than joined by another, so each record is written once.
    """
    if not root.handlers:
        root.addHandler(logging.StreamHandler())
    for handler in root.handlers:
        handler.setFormatter(json_formatter())
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)


def init_app(app) -> None:
    if app.config.get("LOG_FORMAT") == "json":
        from flask.logging import default_handler

        use_json(logging.getLogger())
        app.logger.removeHandler(default_handler)
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "dramatiq", app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
