"""The pages: one blueprint per area, templates under ``templates/<area>/``."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import Flask, abort, current_app, g, send_from_directory

from core.http.tenancy import push_council
from core.model.clock import LONDON, local_date

ASSETS = Path(__file__).resolve().parents[2] / "node_modules" / "govuk-frontend" / "dist" / "govuk"
OWN_ASSETS = Path(__file__).resolve().parents[1] / "static"


def init_app(app: Flask) -> None:
    from core.auth import views as signin
    from core.http import errors, headers, hygiene
    from core.http import limits as ratelimit
    from core.web import (
        admin_hub,
        audit,
        calendar_admin,
        cases,
        directory,
        dry_run,
        home,
        learning,
        look,
        people,
        reports,
        session_timeout,
        site,
        texts_admin,
    )
    from core.web import subject_access as export

    app.url_defaults(push_council)
    app.register_blueprint(home.bp)
    app.register_blueprint(home.council_bp)
    app.register_blueprint(cases.bp)
    app.register_blueprint(export.bp)
    app.register_blueprint(signin.bp)
    app.register_blueprint(directory.bp)
    app.register_blueprint(calendar_admin.bp)
    app.register_blueprint(dry_run.bp)
    app.register_blueprint(people.bp)
    app.register_blueprint(reports.bp)
    app.register_blueprint(reports.api)
    app.register_blueprint(learning.bp)
    app.register_blueprint(learning.across_bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(texts_admin.bp)
    app.register_blueprint(site.bp)
    app.register_blueprint(site.council_bp)
    app.register_blueprint(look.bp)
    app.register_blueprint(admin_hub.bp)
    if app.config["MAIL_TRANSPORT"] == "dev-outbox" and app.config["CONCORD_ENV"] != "production":
        from core.web import dev_mail

        app.register_blueprint(dev_mail.dev_mail)
    session_timeout.init_app(app)
    errors.init_app(app)
    headers.init_app(app)
    ratelimit.init_app(app)
    hygiene.init_app(app)

    assets = Path(app.config.get("ASSETS_DIR") or ASSETS)

    @app.route("/assets/concord/<path:filename>")
    def own_assets_file(filename):
        return send_from_directory(OWN_ASSETS, filename, max_age=3600)

    @app.route("/assets/<path:filename>")
    def assets_file(filename):
        # GOV.UK Frontend's CSS asks for /assets/fonts and /assets/images.
        for folder in (assets, assets / "assets"):
            if (folder / filename).is_file():
                return send_from_directory(folder, filename, max_age=3600)
        abort(404)

    @app.template_filter("meeting_group")
    def meeting_group(slug):
        """A meeting group's name as its council writes it ("CP Dissents Group"), not its slug."""
        council = g.get("council")
        for process in council.processes if council else ():
            for ladder in process.ladders:
                for stage in ladder.stages:
                    if getattr(stage.deadline, "meeting", None) == slug:
                        return stage.deadline.group
        return slug.replace("-", " ")

    @app.template_filter("long_date")
    def long_date(value):
        """An ISO date (or date) as "Wednesday 2 December 2026"; anything else unchanged."""
        try:
            day = value if isinstance(value, date) else date.fromisoformat(str(value))
        except ValueError:
            return value
        return day.strftime("%A %-d %B %Y")

    @app.template_filter("shown_answer")
    def shown_answer(value, spec):
        """An answer as people read it, in the words of its field type (``FieldType.shown``)."""
        from core.forms.questions import field_type

        return field_type(spec).shown(value)

    @app.template_filter("london")
    def london_time(moment, fmt="%-d %b %Y %H:%M"):
        return moment.astimezone(LONDON).strftime(fmt)

    @app.context_processor
    def layout_context():
        from core.reads.exports import outcome_label
        from core.runtime import now
        from core.web import ladder
        from core.web.directory import rung_titles
        from core.web.site import PAGES

        return {"council": g.get("council"), "viewer": g.get("viewer"), "today": local_date(now()),
                "risk_contacts": _risk_contacts, "risk_text": _risk_text, "signpost_texts": _signpost_texts,
                "site_pages": PAGES, "role_titles": current_app.extensions["concord"].roles,
                "ladder_drawing": ladder.draw, "outcome_label": lambda case: outcome_label(g.council, case),
                "rung_title": lambda slug: rung_titles(g.council).get(slug, slug)}


def _risk_contacts():
    """Who to contact the same day, from the council's directory (not hard-coded)."""
    from core.engine.directory import assignees

    council = g.get("council")
    if council is None or not council.immediate_risk_role:
        return []
    return assignees(council.slug, council.immediate_risk_role, None)


def _risk_text():
    from core.model import council_texts

    council = g.get("council")
    return council_texts.immediate_risk(council) if council else ""


def _signpost_texts():
    from core.model import council_texts

    council = g.get("council")
    return council_texts.signposts(council) if council else []
