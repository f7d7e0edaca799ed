"""gunicorn settings for Concord and its floor alike in bench/submission.py.

What gunicorn.conf.py does for speed, for any Flask-SQLAlchemy app: load the app in
the master, freeze the garbage collector's view of it, drop inherited connections.
"""
import gc

preload_app = True


def when_ready(server):
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    gc.freeze()


def post_fork(server, worker):
    app = worker.app.wsgi()
    extension = app.extensions.get("sqlalchemy")
    if extension is not None:
        with app.app_context():
            extension.engine.dispose(close=False)
