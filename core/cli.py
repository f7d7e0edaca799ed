"""``flask concord …`` commands."""

from __future__ import annotations

import threading

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from werkzeug.serving import run_simple

from core import scaffold, scheduler
from core.engine import directory, open_cases
from core.model.records import db
from core.runtime import concord

group = click.Group("concord", help="Concord administration.")
group.add_command(open_cases.cases_group)
group.add_command(scaffold.new_council)


@group.command("seed-demo")
@with_appcontext
def seed_demo():
    """Load each council's demo directory (fictional people only), and demo meeting dates for each group a
    ``NextMeeting`` deadline names that has none from today on (a council admin keeps the real ones)."""
    state = concord()
    for council in state.councils.values():
        contacts = state.pm.hook.concord_demo_directory(council=council) or ()
        added = directory.load(council.slug, contacts)
        click.echo(f"{council.slug}: {added} demo contacts added")
        _seed_demo_meetings(council)
    db.session.commit()


def _seed_demo_meetings(council) -> None:
    from core.model.calendar import calendar_for, demo_meeting_days
    from core.model.clock import local_date
    from core.model.deadlines import NextMeeting
    from core.model.records import Meeting
    from core.runtime import now

    today = local_date(now())
    groups = {s.deadline.meeting: s.deadline.group for _, _, s in council.stages() if isinstance(s.deadline, NextMeeting)}
    for slug, name in groups.items():
        upcoming = db.session.scalar(db.select(Meeting.id).where(
            Meeting.council == council.slug, Meeting.group == slug, Meeting.day >= today).limit(1))
        if upcoming is not None:
            continue
        days = demo_meeting_days(calendar_for(council), today)
        db.session.add_all(Meeting(council=council.slug, group=slug, day=day) for day in days)
        click.echo(f"{council.slug}: {len(days)} demo meetings of the {name} added")


calendar_group = click.Group("calendar", help="Working-day calendar.")
group.add_command(calendar_group)


@calendar_group.command("check")
@click.option("--apply", "apply_", is_flag=True, help="Move them, recorded on each case's timeline.")
@click.option("--council", "only", default=None, help="One council's slug (default: every council).")
@with_appcontext
def calendar_check(apply_, only):
    """List the open stages whose due date the current calendar (bank holidays included) would move."""
    from core.engine import recalculate

    councils = concord().councils
    if only and only not in councils:
        raise click.BadParameter(f"no council {only!r} here", param_hint="--council")
    total = 0
    for slug, council in councils.items():
        if only and slug != only:
            continue
        moves = recalculate.preview(council)
        for m in moves:
            click.echo(f"{slug}\t{m.case.reference}\t{m.stage.title}\t{m.old_text} -> {m.new_text}")
        if apply_ and moves:
            recalculate.apply(council, moves, None, "bank holidays changed")
        total += len(moves)
    db.session.commit()
    if not total:
        click.echo("No open stage's due date would move.")
    elif apply_:
        click.echo(f"{total} due date(s) moved.")
    else:
        click.echo(f"{total} due date(s) would move; run again with --apply to move them.")


@group.command("dry-run")
@click.argument("council")
@click.argument("process")
@click.option("--from", "start", required=True, help="The day the case is raised, YYYY-MM-DD.")
@click.option("--answers", default=None, help="Intake answers as JSON (default: the plugin's example answers).")
@click.option("--choose", multiple=True, help="stage=outcome@YYYY-MM-DD, once per action, in order.")
@with_appcontext
def dry_run_command(council, process, start, answers, choose):
    """Show how a process would run — stages, holders, due dates, messages — saving nothing."""
    import json
    from datetime import date

    from core.reads import dry_run as dryrun

    councils = concord().councils
    if council not in councils:
        raise click.BadParameter(f"no council {council!r} here", param_hint="COUNCIL")
    found = councils[council]
    try:
        chosen = found.process(process)
    except KeyError:
        raise click.BadParameter(f"{council} has no process {process!r}", param_hint="PROCESS") from None
    try:
        day = date.fromisoformat(start)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD", param_hint="--from") from None
    try:
        steps = [dryrun.Step.parse(text) for text in choose]
    except ValueError as e:
        raise click.BadParameter(str(e), param_hint="--choose") from None
    given = json.loads(answers) if answers else None
    run = dryrun.run(found, chosen, day, given, steps)
    click.echo(dryrun.as_text(run))
    if run.problem:
        raise SystemExit(1)


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be erased and deleted; change nothing.")
@with_appcontext
def purge(dry_run):
    """Erase cases past their council's retention and delete old outbox mail (the scheduler runs this daily)."""
    from core.engine import retention

    report = retention.purge(dry_run=dry_run)
    click.echo("Would erase and delete (dry run, nothing changed):" if dry_run else "Erased and deleted:")
    for line in report.lines():
        click.echo(f"  {line}")


@group.command("scheduler")
@click.option("--every", default=60.0, help="Seconds between ticks.")
@with_appcontext
def scheduler_command(every):
    """Hand due notifications to the workers every minute (run exactly one)."""
    scheduler.run_forever(current_app._get_current_object(), every)  # type: ignore[attr-defined]


@group.command("run")
@click.option("--port", default=5000)
@click.option("--tick", default=15.0, help="Seconds between scheduler ticks.")
@with_appcontext
def run_embedded(port, tick):
    """Serve the app with an in-process worker and scheduler (the embedded default)."""
    import dramatiq

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    worker = dramatiq.Worker(app.extensions["concord.queue"].broker, worker_threads=1)
    worker.start()
    threading.Thread(target=scheduler.run_forever, args=(app, tick), daemon=True).start()
    try:
        # Flask refuses app.run() inside its own CLI, so serve with Werkzeug directly.
        run_simple("127.0.0.1", port, app, threaded=True)
    finally:
        worker.stop()


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
