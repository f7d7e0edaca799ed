"""``flask concord …`` commands and the ``concord`` entry point."""
from __future__ import annotations

import sys

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup

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
