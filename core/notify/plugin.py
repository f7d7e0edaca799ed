"""Wires notifications into the app: the transport, the queue, /dev/mail, CLI commands."""
from __future__ import annotations

import threading

import click
from flask import abort, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.serving import run_simple

from ..config import ConfigError
from ..hookspecs import hookimpl
from ..models import DevMail, db
from ..runtime import concord
from ..web.tenancy import council_blueprint
from . import queue, scheduler

# Development only, and per council: a signed-in person of the council sees that council's mail.
dev_mail = council_blueprint("dev_mail", __name__, "/dev/mail")


@dev_mail.before_request
def council_members_only():
    if g.viewer is None:
        if session.get("council") not in (None, g.council.slug):
            abort(404)
        return redirect(url_for("signin.choose", next=request.path))


@dev_mail.get("/")
def inbox():
    messages = db.session.scalars(
        select(DevMail).where(DevMail.council == g.council.slug).order_by(DevMail.id.desc()).limit(200)).all()
    return render_template("dev/mail.html", messages=messages)


@dev_mail.get("/<int:message_id>")
def message(message_id):
    found = db.session.get(DevMail, message_id)
    if found is None or found.council != g.council.slug:
        abort(404)
    return render_template("dev/message.html", message=found)


def make_transport(app):
    name = app.config["MAIL_TRANSPORT"]
    factories = dict(pair for pairs in concord(app).pm.hook.concord_register_transports() for pair in pairs)
    if name not in factories:
        raise ConfigError(f"CONCORD_MAIL_TRANSPORT={name!r} is not a transport here; choose one of {', '.join(sorted(factories))}")
    return factories[name](app.config)


@click.command("scheduler")
@click.option("--every", default=60.0, help="Seconds between ticks.")
def scheduler_command(every):
    """Hand due notifications to the workers every minute (run exactly one)."""
    scheduler.run_forever(current_app._get_current_object(), every)


@click.command("run")
@click.option("--port", default=5000)
@click.option("--tick", default=15.0, help="Seconds between scheduler ticks.")
def run_embedded(port, tick):
    """Serve the app with an in-process worker and scheduler (the embedded default)."""
    import dramatiq

    app = current_app._get_current_object()
    worker = dramatiq.Worker(app.extensions["concord.queue"].broker, worker_threads=1)
    worker.start()
    threading.Thread(target=scheduler.run_forever, args=(app, tick), daemon=True).start()
    try:
        # Flask refuses app.run() inside its own CLI, so serve with Werkzeug directly.
        run_simple("127.0.0.1", port, app, threaded=True)
    finally:
        worker.stop()


@hookimpl
def concord_init_app(app):
    app.extensions["concord.mail"] = make_transport(app)
    queue.init_app(app)
    if app.config["MAIL_TRANSPORT"] == "dev-outbox" and app.config["CONCORD_ENV"] != "production":
        app.register_blueprint(dev_mail)
    group = app.cli.commands["concord"]
    group.add_command(scheduler_command)
    group.add_command(run_embedded)
