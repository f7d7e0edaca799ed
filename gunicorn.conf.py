"""gunicorn settings for Concord: ``gunicorn -c gunicorn.conf.py`` (see README, "Running in production").

The app is loaded once in the master (``preload_app``) so a bad setting stops
start-up before any worker forks, and the loaded objects are moved out of the
garbage collector's sight (``gc.freeze``) so workers share those pages
instead of copying them on the first collection.
"""
import gc
import os


def _count(name, default):
    value = os.environ.get(name, default)
    if not value.isdigit() or not 1 <= int(value) <= 64:
        raise SystemExit(f"Concord cannot start: {name} must be a whole number from 1 to 64, not {value!r}")
    return int(value)


wsgi_app = "wsgi:app"
bind = os.environ.get("CONCORD_BIND", "0.0.0.0:8000")
# Sync workers, one process per core and one more (WEB_CONCURRENCY; 3 on the reference 2-core machine):
# a submission is CPU-bound in Python (about 6-8 ms of app CPU against 2 ms in PostgreSQL) with five
# round trips to PostgreSQL, so the extra process keeps both cores busy while another waits on the
# database. Threads do not add to that: they contend for the same interpreter, pay the threaded worker's
# hand-offs, and queue at the council's reference counter (its row is locked by the submission's last
# statement until commit: core/engine/references.py).
# Measured by bench/submission.py in the same turns, quiet 2-core machine, 6 Dec 2026 (BENCH_PRODUCTION_VARIANTS;
# req/s, every configuration writing its access log; a backend waiting for a lock, share of 5 ms samples):
#   earlier runs, threaded: 3 x 2 threads 152 and 181, 2 x 2 147 and 175, 3 x 4 167, 2 x 4 135 and 165, 2 x 8 143;
#   this round: 3 sync 116 and 159 (11%, 6%), 4 sync 114 and 147, 5 sync 110, 2 sync 115, 3 x 2 threads 108 and 146 (24%);
#   the bench's own 2 sync workers without an access log: 117 and 152.
# A sync worker serves one client at a time, from the request's first byte to the response's last: the
# council's TLS proxy in front must buffer requests and responses (nginx does by default), so a slow
# client holds the proxy, not a worker (and a worker held longer than ``timeout`` is restarted). Behind a
# proxy that does not buffer, set CONCORD_WEB_THREADS to 2 or more: threaded workers (gthread), a thread
# per client; 2 was the fastest threaded setting measured.
workers = _count("WEB_CONCURRENCY", str(min(64, (os.cpu_count() or 1) + 1)))
threads = _count("CONCORD_WEB_THREADS", "1")
worker_class = "sync" if threads == 1 else "gthread"
preload_app = True
timeout = 30
graceful_timeout = 30
# Behind the council's proxy: trust its X-Forwarded-* only from the addresses named here.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"

if os.environ.get("CONCORD_LOG_FORMAT") == "json":
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "pythonjsonlogger.json.JsonFormatter",
                                "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
        "filters": {"redact": {"()": "core.logs.RedactSecrets"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["redact"],
                                "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": "INFO"},
        "loggers": {"gunicorn.error": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
                    "gunicorn.access": {"handlers": ["stderr"], "level": "INFO", "propagate": False}},
    }


def on_starting(server):
    # Request counts from all workers are summed through files here (prometheus-client multiprocess mode).
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        os.makedirs(folder, exist_ok=True)
        for name in os.listdir(folder):
            os.remove(os.path.join(folder, name))


def when_ready(server):
    # Runs in the master after the app is loaded (preload_app) and before any worker forks: the
    # mappers are configured here once (the app leaves that to first use) rather than in each worker.
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    gc.freeze()


def post_fork(server, worker):
    # Database connections opened in the master must not be shared by workers.
    from core.model.records import db

    app = worker.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
