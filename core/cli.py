"""``flask concord …`` commands and the ``concord`` entry point."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from . import directory
from .models import db

group = click.Group("concord", help="Concord administration.")


@group.command("seed-demo")
def seed_demo():
    """Load each council's demo directory (fictional people only)."""
    concord = current_app.extensions["concord"]
    for council in concord.councils.values():
        contacts = concord.pm.hook.concord_demo_directory(council=council) or ()
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
    click.echo(("Would erase and delete (dry run, nothing changed):" if dry_run else "Erased and deleted:"))
    for line in report.lines():
        click.echo(f"  {line}")


def init_app(app: Flask) -> None:
    app.cli.add_command(group)


def main():
    from .app import create_app
    from .config import ConfigError

    try:
        cli = FlaskGroup(create_app=create_app)
        cli.main(args=sys.argv[1:], prog_name="concord")
    except ConfigError as e:
        raise SystemExit(f"Concord cannot start: {e}")
