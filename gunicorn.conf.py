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
# Threaded workers, one process per core (WEB_CONCURRENCY: 2 by default, for the reference 2-core
# machine; set it to the core count elsewhere), 4 threads each. A request
# spends much of its time waiting for PostgreSQL (about ten round trips to raise a case): another thread
# of the same process runs meanwhile, where a sync worker would sit idle. More processes than cores
# gain nothing (each runs one thread of Python at a time and the cores are full); more threads than 4
# only queue for the same process. The reference counter's row is locked only by a submission's last
# statement and its commit (core/engine/cases.py), so threads seldom queue there (a backend waits for a lock in
# 11-17% of 5 ms samples under this configuration, 1-2% with sync workers).
# Measured by bench/submission.py in the same turns (BENCH_PRODUCTION_VARIANTS; req/s, and x the by-hand
# server doing the same writes):
#   quiet machine (load 1, before the Core inserts): 2 x 4 threads 106 (0.40), 2 sync 109 (0.41),
#     3 x 2 threads 99 (0.37): the same within the noise;
#   after them, three runs at load 5-9 (other test suites running), 2 x 4 threads against 2 sync workers
#     configured here: 27 against 19 req/s (0.57 against 0.40), 78 against 59 (0.54, 0.41), 49 against 38
#     (0.55, 0.43); 2 x 2 threads 24 and 78; 3 and 4 sync workers 19 and 17; 2 x 8 threads 62 (0.70).
# The bench's own 2 sync workers (no access log) came out at 18, 92 and 45 req/s in those runs: production
# is ahead of it in two runs of three. Threads beyond 4 gained only on the loaded machine, where more
# runnable threads take more of the shared cores' turns; 2 x 4 threads it is.
worker_class = "gthread"
workers = _count("WEB_CONCURRENCY", "2")
threads = _count("CONCORD_WEB_THREADS", "4")
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
