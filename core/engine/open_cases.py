"""Open cases must still fit the installed councils, or Concord does not start.

A case stores the slugs of the process, ladder and stage it is on. A council
plugin upgrade that renames or removes one of them would leave those cases
unable to move, found only when someone opens one. ``check`` runs when the app
starts and refuses to start with the list of such cases; ``flask concord cases
remap`` moves them to the new names (see docs/plugins.md, "Renaming a ladder").
"""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import inspect, select, update
from sqlalchemy.exc import SQLAlchemyError

from core.config import ConfigError
from core.model import areas
from core.model.procedures import Council
from core.model.records import Case, CaseEvent, StageEntry, db
from core.runtime import concord, now

# Commands that must run while cases do not fit yet: migrating the schema, remapping cases.
MAINTENANCE_COMMANDS = ({"db"}, {"cases", "remap"})


class OrphanedCases(ConfigError):
    """Open cases name a council, process, ladder or stage that is not installed."""


def misfits(councils: dict[str, Council], rows) -> list[str]:
    """One line per open case whose process, ladder or current stage no longer exists."""
    found = []
    for reference, council_slug, process_slug, ladder_slug, stage_slug in rows:
        council = councils.get(council_slug)
        if council is None:
            found.append(f"{reference}: council {council_slug!r} is not installed")
            continue
        try:
            process = council.process(process_slug)
        except KeyError:
            found.append(f"{reference}: {council_slug} has no process {process_slug!r}")
            continue
        try:
            ladder = process.ladder(ladder_slug)
        except KeyError:
            found.append(f"{reference}: {council_slug}/{process_slug} has no ladder {ladder_slug!r}")
            continue
        if stage_slug is not None and stage_slug not in {s.slug for s in ladder.stages}:
            found.append(f"{reference}: {council_slug}/{process_slug}/{ladder_slug} has no stage {stage_slug!r}")
    return found


def open_case_rows():
    """(reference, council, process, ladder, current stage) of every open case."""
    return db.session.execute(
        select(Case.reference, Case.council, Case.process, Case.ladder, StageEntry.stage)
        .outerjoin(StageEntry, (StageEntry.case_id == Case.id) & StageEntry.closed_at.is_(None))
        .where(Case.status == "open")
        .order_by(Case.reference)
    ).all()


def check(app: Flask, argv: list[str] | None = None) -> None:
    """Refuse to start while open cases do not fit the installed councils.

    Skipped quietly when the database cannot be reached or is not migrated yet,
    during ``flask db …`` and ``flask concord cases remap``, and with
    ``CHECK_OPEN_CASES=False`` in the app's config.
    """
    if not app.config.get("CHECK_OPEN_CASES", True) or _maintenance(argv if argv is not None else sys.argv[1:]):
        return
    with app.app_context():
        try:
            tables = inspect(db.engine).get_table_names()
            if not {"case", "stage_entry"} <= set(tables):
                return
            rows = open_case_rows()
        except SQLAlchemyError:
            return
        finally:
            db.session.remove()
        found = misfits(concord(app).councils, rows)
    if found:
        raise OrphanedCases(refusal(found))


SHOWN = 20  # a refusal names this many cases; `flask concord cases remap` moves them all


def refusal(found: list[str]) -> str:
    listed = "".join(f"\n  - {line}" for line in found[:SHOWN])
    if len(found) > SHOWN:
        listed += f"\n  … and {len(found) - SHOWN:,} more"
    return (f"{len(found):,} open case(s) do not fit the installed councils:{listed}\n"
            "Move them with `flask concord cases remap <council> --ladder old=new …` "
            "(see docs/plugins.md, \"Renaming a ladder\"), or reinstall the plugin version they were opened under.")


def _maintenance(argv: list[str]) -> bool:
    words = {a for a in argv if not a.startswith("-")}
    return any(command <= words for command in MAINTENANCE_COMMANDS)


def _pairs(values: tuple[str, ...], option: str) -> dict[str, str]:
    pairs = {}
    for value in values:
        old, sep, new = value.partition("=")
        if not sep or not old or not new:
            raise click.BadParameter(f"{value!r}: write old=new", param_hint=option)
        pairs[old] = new
    return pairs


cases_group = AppGroup("cases", help="Look after cases when a council's procedure changes.")


@cases_group.command("remap")
@click.argument("council")
@click.option("--process", "processes", multiple=True, metavar="OLD=NEW", help="Rename a process.")
@click.option("--ladder", "ladders", multiple=True, metavar="OLD=NEW", help="Rename a ladder.")
@click.option("--stage", "stages", multiple=True, metavar="OLD=NEW", help="Rename a stage (in every ladder).")
def remap(council, processes, ladders, stages):
    """Move a council's cases to renamed processes, ladders and stages.

    Every case of the council is updated (closed ones too, so their timelines
    still show), each gets a timeline entry, and all of it commits together.
    """
    process_map = _pairs(processes, "--process")
    ladder_map = _pairs(ladders, "--ladder")
    stage_map = _pairs(stages, "--stage")
    moment, moved = now(), 0
    for case in db.session.scalars(select(Case).where(Case.council == council)):
        before = (case.process, case.ladder)
        case.process = process_map.get(case.process, case.process)
        case.ladder = ladder_map.get(case.ladder, case.ladder)
        renamed = [e for e in case.stages if e.stage in stage_map]
        if before == (case.process, case.ladder) and not renamed:
            continue
        for old, new in stage_map.items():
            db.session.execute(
                update(StageEntry).where(StageEntry.case_id == case.id, StageEntry.stage == old).values(stage=new)
            )
        case.events.append(CaseEvent(at=moment, actor=None, kind="remapped",
                                     summary="Moved to the council's renamed procedure"))
        moved += 1
    db.session.commit()
    click.echo(f"{council}: {moved} case(s) moved")
    found = misfits(concord().councils, open_case_rows())
    for line in found:
        click.echo(f"still not fitting: {line}", err=True)
    if found:
        raise SystemExit(1)


@cases_group.command("refill-areas")
@click.argument("council")
def refill_areas(council):
    """Write a council's cases' areas again from their answers (``case.areas``, which the list's area filter
    reads): after a plugin upgrade adds an area name, so that the cases raised before it are found by it.
    A thousand cases a transaction; erased cases have none."""
    found = concord().councils.get(council)
    if found is None:
        raise click.BadParameter(f"{council!r} is not an installed council", param_hint="COUNCIL")
    written, last = 0, 0
    while rows := db.session.execute(select(Case.id, Case.answers, Case.areas).where(
            Case.council == council, Case.erased_at.is_(None), Case.id > last).order_by(Case.id).limit(1000)).all():
        changed = [{"id": id_, "areas": tagged} for id_, answers, before in rows
                   if (tagged := areas.tags(found.areas, answers)) != before]
        if changed:
            db.session.execute(update(Case), changed)
        db.session.commit()
        written, last = written + len(changed), rows[-1].id
    click.echo(f"{council}: {written} case(s) given their areas again")
