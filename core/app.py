"""The app factory."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from flask import Flask
from flask_wtf.csrf import CSRFProtect
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from core import cli
from core import config as settings
from core.engine import open_cases
from core.http.hygiene import install_converters
from core.http.session import init_sessions
from core.model.clock import SystemClock
from core.model.postgres import plan_for_pages
from core.model.records import db
from core.plugin_manager import collect_councils, collect_deadline_kinds, collect_field_types, make_plugin_manager
from core.runtime import EXTENSION, Concord

HERE = Path(__file__).parent


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    install_converters(app)
    app.config.update(settings.from_environment())
    app.config.update(config or {})
    settings.validate(app.config)
    app.config["MAX_CONTENT_LENGTH"] = app.config.get("MAX_CONTENT_LENGTH") or 1024 * 1024
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax")
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    if app.config["CONCORD_ENV"] == "production":
        app.config["SESSION_COOKIE_SECURE"] = True

    pm = make_plugin_manager(app.config.get("PLUGINS", ()), app.config.get("LOAD_ENTRY_POINTS", True))
    field_types, deadline_kinds = collect_field_types(pm), collect_deadline_kinds(pm)
    concord = app.extensions[EXTENSION] = Concord(
        pm=pm,
        councils=collect_councils(pm, field_types, deadline_kinds),
        roles=dict(pair for pairs in pm.hook.concord_register_roles() for pair in pairs),
        clock=app.config.get("CLOCK") or SystemClock(),
        field_types=field_types,
        deadline_kinds=deadline_kinds,
    )

    _ensure_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])
    db.init_app(app)
    with app.app_context():
        plan_for_pages(db.engine)
    _migrate_lazily(app)
    CSRFProtect(app)
    init_sessions(app)
    WTFormsHelpers(app)
    app.jinja_loader = ChoiceLoader([
        *(FileSystemLoader(folder) for folders in pm.hook.concord_template_folders() for folder in folders),
        FileSystemLoader(HERE / "templates"),
        PrefixLoader({
            "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
            "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
        }),
    ])

    from core import api, logs, web
    from core.web import ops

    logs.init_app(app)
    ops.init_app(app)
    web.init_app(app)
    api.init_app(app)
    cli.init_app(app)
    pm.hook.concord_init_app(app=app)
    concord.sign_in_methods = [m for methods in pm.hook.concord_register_sign_in_methods(app=app) for m in methods]
    open_cases.check(app)
    return app


def _migrate_lazily(app: Flask) -> None:
    """Flask-Migrate (and Alembic, a third of start-up) imported only by what migrates.

    ``flask db …`` and ``flask_migrate.upgrade()`` both find what they need on
    the app; each builds the real ``Migrate`` on first use.
    """

    def real():
        from flask_migrate import Migrate

        if isinstance(app.extensions.get("migrate"), _LazyMigrateConfig):
            Migrate(app, db, directory=str(HERE / "migrations"), render_as_batch=True)
        return app.extensions["migrate"]

    class _LazyMigrateConfig:
        def __getattr__(self, name):
            return getattr(real(), name)

    class _LazyDbGroup(click.Group):
        """Stands in for Flask-Migrate's ``db`` group until the command line names it."""

        def make_context(self, info_name, args, parent=None, **extra):
            real()
            from flask_migrate.cli import db as group

            return group.make_context(info_name, args, parent=parent, **extra)

    app.extensions["migrate"] = _LazyMigrateConfig()
    app.cli.add_command(_LazyDbGroup("db", help="Perform database migrations."))


def _ensure_sqlite_folder(uri: str) -> None:
    if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
