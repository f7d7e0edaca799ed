"""``dramatiq core.worker``: a worker process for the configured broker.

Run any number of them, on any machine that reaches the database, the broker
and the mail relay; they share nothing else.
"""
import sys

import dramatiq

from core.app import create_app
from core.config import ConfigError

try:
    app = create_app()
except ConfigError as e:
    sys.exit(f"Concord cannot start: {e}")
dramatiq.set_broker(app.extensions["concord.queue"].broker)
