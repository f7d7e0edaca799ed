"""``flask concord …`` commands."""

from __future__ import annotations

import click
from flask import Flask

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


def init_app(app: Flask) -> None:
    app.cli.add_command(group)
