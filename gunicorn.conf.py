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
# Sync workers, one process per core (WEB_CONCURRENCY; 2 on the reference 2-core machine). A submission is
# CPU-bound in Python (about 3.8 ms of app CPU against 1.3 ms in PostgreSQL), so a process per core keeps the
# cores busy; another process only contends for them, and its requests queue longer at the council's
# reference counter (a backend waiting for a lock in 11% of samples with 3 workers, 5% with 2). Threads do not
# help either: they contend for the same interpreter, pay the threaded worker's hand-offs, and queue at
# that counter (its row is locked by the submission's last statement until commit: core/engine/references.py).
# Measured by bench/submission.py in the same turns, quiet 2-core machine (BENCH_PRODUCTION_VARIANTS; req/s,
# every configuration writing its access log):
#   6 Dec 2026, evening: 2 sync 310, 3 sync 294 and 292; the bench's own 2 sync workers without an access log 304;
#   earlier the same day, when a submission cost twice the CPU: 3 sync 116 and 159, 4 sync 114 and 147,
#   2 sync 115, 3 x 2 threads 108 and 146; threaded, earlier runs: 3 x 2 152 and 181, 2 x 4 135 and 165.
# Where PostgreSQL runs on another machine, a worker waiting on it leaves its core idle: there, one worker
# more than the cores (WEB_CONCURRENCY) may serve more; measure before choosing.
# A sync worker serves one client at a time, from the request's first byte to the response's last: the
# council's TLS proxy in front must buffer requests and responses (nginx does by default), so a slow
# client holds the proxy, not a worker (and a worker held longer than ``timeout`` is restarted). Behind a
# proxy that does not buffer, set CONCORD_WEB_THREADS to 2 or more: threaded workers (gthread), a thread
# per client; 2 was the fastest threaded setting measured.
workers = _count("WEB_CONCURRENCY", str(min(64, os.cpu_count() or 1)))
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
