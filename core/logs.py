"""Keep secrets out of the logs: codes, states and tokens in URLs are redacted."""
from __future__ import annotations

import logging
import re

SECRET_PARAMETER = re.compile(r"\b(code|state|nonce|id_token|access_token|refresh_token|code_verifier)=[^&\s\"']+")


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = SECRET_PARAMETER.sub(r"\1=[redacted]", message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return True


def init_app(app) -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", app.logger.name):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactSecrets) for f in logger.filters):
            logger.addFilter(RedactSecrets())
