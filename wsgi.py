"""The WSGI entry point: ``gunicorn wsgi:app``."""
import sys

from core.app import create_app
from core.config import ConfigError

try:
    app = create_app()
except ConfigError as e:
    sys.exit(f"Concord cannot start: {e}")
