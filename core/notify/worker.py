"""``dramatiq core.notify.worker``: a worker process for the configured broker.

Run any number of them, on any machine that reaches the database, the broker
and the mail relay; they share nothing else.
"""
import dramatiq

from ..app import create_app

app = create_app()
dramatiq.set_broker(app.extensions["concord.queue"].broker)
