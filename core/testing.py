"""Pytest fixtures for Concord and for council plugins' own tests.

A pytest plugin: installing Concord registers it (the ``pytest11`` entry
point), so a council distribution's tests get ``app``, ``client``, ``clock``
and the rest without a conftest. Every test that asks for ``app`` runs once
on SQLite and once on PostgreSQL (127.0.0.1:5432, database ``test``).
Services that are unreachable are skipped, unless
``CONCORD_REQUIRE_SERVICES=1`` (set by ``.ci/run``), which turns the skip
into a failure.

The case driver takes a case through a council as its people would, over
the JSON API::

    on(clock, "2026-11-27")
    case = raise_case(client, "testshire", "disagreement", {"ward": "South", "what": "…"})
    case = act(client, "testshire", case["reference"], "escalate", {"notes": "Could not agree"})
"""

from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, event, select, text

from core.app import create_app
from core.hookspecs import EmailKind, Message
from core.model.clock import FixedClock
from core.model.records import db
from core.runtime import concord

LONDON = ZoneInfo("Europe/London")
TEST_SECRET_KEY = "test-secret-key-of-at-least-32-bytes"
POSTGRES_ADMIN_URL = os.environ.get("CONCORD_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def require_service(name: str, host: str, port: int) -> None:
    """Skip when a service is down, or fail when CI says it must be there."""
    if reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CONCORD_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " and CONCORD_REQUIRE_SERVICES=1", pytrace=False)
    pytest.skip(message)


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A moment in Europe/London, e.g. ``london(2026, 11, 27, 10, 0)``."""
    return datetime(year, month, day, hour, minute, second, tzinfo=LONDON)


@contextmanager
def scratch_postgres_database(prefix: str = "concord_test"):
    """A PostgreSQL database of its own, created empty and dropped afterwards (with any connection left); its URL.

    Skips (or, with ``CONCORD_REQUIRE_SERVICES=1``, fails) when PostgreSQL is not reachable.
    """
    require_service("PostgreSQL", "127.0.0.1", 5432)
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'concord.db'}"
        return
    with scratch_postgres_database() as url:
        yield url


@pytest.fixture(scope="session")
def migrated(database_url):
    """The schema, built by the real migrations once per database."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "TESTING": True, "CONCORD_ENV": "development",
                      "LOAD_ENTRY_POINTS": False})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def clock():
    return FixedClock(london(2026, 11, 24, 10, 0))


def pytest_addoption(parser):
    parser.addini("concord_councils", type="linelist", default=[],
                  help="installed councils (concord.councils entry point names) make_app loads by default")


@pytest.fixture
def councils(request) -> tuple[str, ...]:
    """The installed councils (``concord.councils`` entry point names) ``make_app`` loads.

    ``make_app`` is hermetic: an app has the councils a test names and no others, whatever else is
    installed. By default none, or those the ``concord_councils`` ini option lists (core's own
    ``pyproject.toml`` lists the councils of its ``plugins/`` folder). A test module names its own by
    overriding this fixture::

        @pytest.fixture
        def councils():
            return ["leeds"]

    or per app, ``make_app(LOAD_ENTRY_POINTS=["leeds"])``; or registers the plugin object itself,
    ``make_app(PLUGINS=[plugin])``. ``LOAD_ENTRY_POINTS=True`` loads every installed council.
    """
    return tuple(request.config.getini("concord_councils"))


@pytest.fixture
def make_app(migrated, clock, councils):
    """Build an app on the test database with the ``councils`` fixture's councils and ``PLUGINS``.

    Extra config (e.g. ``PLUGINS``, ``LOAD_ENTRY_POINTS``) as keywords.
    """
    made = []

    def factory(keep_data=False, **config):
        if not keep_data:
            # Before create_app, so cases left by another test's councils cannot stop it starting.
            _empty_database(migrated)
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": migrated,
            "TESTING": True,
            "SECRET_KEY": TEST_SECRET_KEY,
            "CLOCK": clock,
            "CONCORD_ENV": "development",
            "DEV_SIGN_IN": True,
            "LOAD_ENTRY_POINTS": list(councils),
            **config,
        })
        if not keep_data:
            with app.app_context():
                seed_demo_directories(app)
        made.append(app)
        return app

    yield factory
    for app in made:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


def _empty_database(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())
    finally:
        engine.dispose()


def seed_demo_directories(app) -> None:
    from core.engine import directory

    state = concord(app)
    for council in state.councils.values():
        directory.load(council.slug, state.pm.hook.concord_demo_directory(council=council) or ())
    db.session.commit()


def sign_in(client, council: str, email: str, role: str = "practitioner"):
    """Sign a test client in through the development sign-in API."""
    response = client.post(f"/{council}/api/dev/session", json={"email": email, "role": role})
    assert response.status_code == 200, response.get_json()
    return response


# --- the case driver ----------------------------------------------------------


def on(clock: FixedClock, day: date | str, hour: int = 10, minute: int = 0) -> datetime:
    """Move the test clock to ``day`` (a date or ``"YYYY-MM-DD"``) at ``hour`` in London."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    moment = london(day.year, day.month, day.day, hour, minute)
    clock.set(moment)
    return moment


def raise_case(client, council: str, process: str, answers: dict, *, by: str | None = None,
               status: int = 201) -> dict:
    """Raise a case through the API and return the response (reference, stage).

    ``by`` signs in that practitioner first (default ``practitioner@<council>.example.org``).
    """
    sign_in(client, council, by or f"practitioner@{council}.example.org")
    response = client.post(f"/{council}/api/cases", json={"process": process, "answers": answers})
    assert response.status_code == status, response.get_json()
    return response.get_json()


def act(client, council: str, reference: str, action: str, record: dict | None = None, *,
        by: str | None = None, role: str = "manager", status: int = 200) -> dict:
    """Take ``action`` at the case's current stage and return the case as the API shows it.

    ``by`` signs in that person with ``role`` first; by default the first
    assignee of the current stage acts (the test client must be able to see
    the case to find them, e.g. still signed in as the raiser).
    """
    if by is None:
        current = client.get(f"/{council}/api/cases/{reference}")
        assert current.status_code == 200, f"cannot see {reference} to find who acts: sign in, or pass by="
        stage = current.get_json()["stage"]
        assert stage and stage["assignees"], f"{reference} has no current stage with people on it"
        by = stage["assignees"][0]["email"]
    sign_in(client, council, by, role)
    # Themes and learning go with every action: core asks for them only when the outcome closes the case.
    body = {"action": action, "record": {**CLOSING, **(record or {})}}
    stage = (client.get(f"/{council}/api/cases/{reference}").get_json() or {}).get("stage") or {}
    if "entry" in stage:  # actions name the stage entry they were taken on
        body["entry"] = stage["entry"]
    response = client.post(f"/{council}/api/cases/{reference}/actions", json=body)
    assert response.status_code == status, response.get_json()
    return response.get_json()


# --- what a case left behind, for tests that cannot see it through the API ---------------------


def outbox(app, kind: EmailKind) -> list[str]:
    """Who the emails of ``kind`` planned so far go to (every state), sorted: ``outbox(app, "overdue")``."""
    from core.model.records import ScheduledNotification

    with app.app_context():
        return sorted(db.session.scalars(select(ScheduledNotification.recipient)
                                         .where(ScheduledNotification.kind == kind)))


def rendered(app, kind: EmailKind) -> Message:
    """The first planned email of ``kind``, rendered as it will be sent (subject, text, html)."""
    from core.model.records import ScheduledNotification
    from core.notify.render import render

    with app.test_request_context(), app.app_context():
        row = db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.kind == kind)
                                 .order_by(ScheduledNotification.id)).first()
        assert row is not None, f"no {kind} email was planned"
        return render(row)


def learning_of(app, council: str) -> list[str]:
    """The learning recorded on the council's cases (on closing, or added by leads), oldest first."""
    from core.model.records import CaseLearning

    with app.app_context():
        return list(db.session.scalars(select(CaseLearning.text).where(CaseLearning.council == council)
                                       .order_by(CaseLearning.id)))


def store_answers(app, reference: str, **answers) -> None:
    """Change answers stored on a case, as an earlier version of a plugin may have stored them."""
    from core.model.records import Case

    with app.app_context():
        case = db.session.scalars(select(Case).where(Case.reference == reference)).one()
        case.answers = {**case.answers, **answers}
        db.session.commit()


@pytest.fixture
def live_server(app):
    """The app served over real HTTP on a loopback port, for the browser."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    """Debian's headless Chromium through chromedriver (never a downloaded browser)."""
    if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)):
        message = "Debian's chromium and chromium-driver are not installed (make test installs them as root)"
        if os.environ.get("CONCORD_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1200,1600"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.implicitly_wait(3)
    yield driver
    driver.quit()


class SmtpSink:
    """A real SMTP server on loopback that keeps what it receives."""

    def __init__(self):
        from email import message_from_bytes, policy

        self.messages: list = []
        self.port = 0  # the fixture's free port
        self._parse = lambda data: message_from_bytes(data, policy=policy.default)

    async def handle_DATA(self, server, session, envelope):
        message = self._parse(envelope.content)
        self.messages.append(message)
        return "250 OK"

    def summary(self):
        return sorted((m["To"], m["Subject"]) for m in self.messages)


@pytest.fixture
def smtp_sink():
    from aiosmtpd.controller import Controller

    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture
def mail_app(make_app, smtp_sink):
    """An app that mails through SMTP to ``smtp_sink``, with the in-process broker emptied before and after."""
    app = make_app(MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port, BROKER_URL=None,
                   BASE_URL="https://concord.example.org")
    app.extensions["concord.queue"].broker.flush_all()
    yield app
    app.extensions["concord.queue"].broker.flush_all()


@contextmanager
def counted(app, per_row: bool = False):
    """The SQL statements the app's database is sent inside the ``with`` block, as a list of their texts.

    With ``per_row`` an executemany counts once for each of its rows, as the server runs it (psycopg sends
    PostgreSQL the statement once a row, pipelined); else once.
    """
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        # A true executemany has a list of rows; SQLAlchemy also flags one row of its own batching so.
        many = executemany and isinstance(parameters, (list, tuple)) and parameters \
            and isinstance(parameters[0], (tuple, list, dict))
        rows = len(parameters) if many else 1
        statements.extend([statement] * (rows if per_row else 1))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@contextmanager
def connections_at_once(app):
    """The database connections the app has checked out at once inside the ``with`` block: a list with one
    entry per checkout, the number out then (its ``max`` is the most at once)."""
    out: set[int] = set()
    most: list[int] = []

    def checkout(dbapi_connection, record, proxy):
        out.add(id(dbapi_connection))
        most.append(len(out))

    def checkin(dbapi_connection, record):
        out.discard(id(dbapi_connection))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "checkout", checkout)
    event.listen(engine, "checkin", checkin)
    try:
        yield most
    finally:
        event.remove(engine, "checkout", checkout)
        event.remove(engine, "checkin", checkin)


BROKERS = {
    "stub": None,
    "redis": "redis://127.0.0.1:6379/15",
    "rabbitmq": "amqp://guest:guest@127.0.0.1:5672",
}


@pytest.fixture(params=sorted(BROKERS))
def broker_url(request):
    url = BROKERS[request.param]
    if request.param == "redis":
        require_service("Redis", "127.0.0.1", 6379)
    if request.param == "rabbitmq":
        require_service("RabbitMQ", "127.0.0.1", 5672)
    return url


def drain(app) -> int:
    """One scheduler tick, then a real Dramatiq worker until no handed-out row is still due."""
    import time

    import dramatiq

    from core import scheduler

    handed = scheduler.tick(app)
    broker = app.extensions["concord.queue"].broker
    worker = dramatiq.Worker(broker, worker_threads=2, worker_timeout=100)
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with app.app_context():
                if not scheduler.due_ids(limit=1):
                    break
            time.sleep(0.02)
        worker.join()
    finally:
        worker.stop()
    return handed


def post_action(client, url: str, body: dict):
    """POST an action to ``…/actions`` naming the stage entry the case is at now, as a page would."""
    case = client.get(url.removesuffix("/actions")).get_json() or {}
    stage = case.get("stage") or {}
    return client.post(url, json={"entry": stage.get("entry"), **body})


# What every closing outcome also asks for (themes and learning); ignored when the outcome does not close.
# "Information sharing" is a theme of every installed council and of the core default list.
CLOSING = {"case_themes": ["Information sharing"], "case_learning": "Share reports with every agency before the meeting."}
