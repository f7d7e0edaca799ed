"""``flask concord …`` commands."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from . import directory, open_cases, scaffold
from .models import db
from .runtime import concord

group = click.Group("concord", help="Concord administration.")
group.add_command(open_cases.cases_group)
group.add_command(scaffold.new_council)


@group.command("seed-demo")
def seed_demo():
    """Load each council's demo directory (fictional people only)."""
    state = concord()
    for council in state.councils.values():
        contacts = state.pm.hook.concord_demo_directory(council=council) or ()
        added = directory.load(council.slug, contacts)
        click.echo(f"{council.slug}: {added} demo contacts added")
    db.session.commit()


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="Say what would be erased and deleted; change nothing.")
@with_appcontext
def purge(dry_run):
    """Erase cases past their council's retention and delete old outbox mail (the scheduler runs this daily)."""
    from . import retention

    report = retention.purge(dry_run=dry_run)
    click.echo("Would erase and delete (dry run, nothing changed):" if dry_run else "Erased and deleted:")
    for line in report.lines():
        click.echo(f"  {line}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
