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
# Threaded workers: one process per core and one more (WEB_CONCURRENCY; 3 on the reference 2-core
# machine), 2 threads each (CONCORD_WEB_THREADS). A submission is CPU-bound in Python (about 7 ms of app
# CPU against 2 ms in PostgreSQL) with five round trips to PostgreSQL: the extra process keeps both cores busy
# while another waits on the database, and a second thread runs a request meanwhile; more threads only
# contend for the same interpreter and queue at the council's reference counter (its row is locked by the
# submission's last statement until commit: core/engine/references.py).
# Measured by bench/submission.py in the same turns, quiet 2-core machine, 6 Dec 2026, after the five-statement
# submission (BENCH_PRODUCTION_VARIANTS; req/s; a backend waiting for a lock, share of 5 ms samples):
#   run 1: 3 x 2 threads 152 (24%), 2 x 2 147 (12%), 2 x 1 143 (2%), 2 x 8 143 (50%), 2 x 4 135 (38%);
#   run 2: 3 x 2 threads 181, 2 x 2 175, 3 x 1 175, 3 x 4 167, 2 x 4 165;
#   the bench's own 2 sync workers without an access log: 150 and 186.
# 3 x 2 was the fastest configuration with an access log in both runs, a tenth ahead of 2 x 4 (shipped before).
worker_class = "gthread"
workers = _count("WEB_CONCURRENCY", str(min(64, (os.cpu_count() or 1) + 1)))
threads = _count("CONCORD_WEB_THREADS", "2")
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
