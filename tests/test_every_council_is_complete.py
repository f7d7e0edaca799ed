"""Run over every installed council: each process can be walked to an end."""
import pytest

from core.app import create_app
from core.procedures import NEXT_RUNG, CalendarDays, NextMeeting, SameWorkingDay, WorkingDays

APP = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "contract-" * 4})
CONCORD = APP.extensions["concord"]
PROCESSES = [
    pytest.param(council, process, id=f"{council.slug}/{process.slug}")
    for council in CONCORD.councils.values()
    for process in council.processes
]


def test_the_five_councils_are_installed():
    assert {"westdunbartonshire", "gloucestershire", "leeds", "surrey", "dumfriesgalloway"} <= set(CONCORD.councils)


def directory_of(council):
    return CONCORD.pm.hook.concord_demo_directory(council=council) or []


@pytest.mark.parametrize("council, process", PROCESSES)
def test_every_stage_has_a_role_in_the_demo_directory(council, process):
    contacts = directory_of(council)
    for ladder in process.ladders:
        for stage in ladder.stages:
            rung = [c for c in contacts if c.role == stage.role.slug]
            assert rung, f"{ladder.slug}/{stage.slug}: nobody is {stage.role.slug!r} in the demo directory"
            if stage.role.scope:
                choices = process.field(stage.role.scope).choices
                assert choices, f"{stage.role.scope} must be a choice field to scope {stage.role.slug}"
                missing = [c for c in choices if not any(p.scope in (c, None) for p in rung)]
                assert not missing, f"{stage.role.slug}: no contact for {missing}"


@pytest.mark.parametrize("council, process", PROCESSES)
def test_every_stage_has_a_deadline_a_record_form_and_outcomes(council, process):
    for ladder in process.ladders:
        for stage in ladder.stages:
            assert isinstance(stage.deadline, (WorkingDays, CalendarDays, SameWorkingDay, NextMeeting))
            if getattr(stage.deadline, "from_", None):
                earlier = ladder.stages[: ladder.stages.index(stage)]
                dates = {f.name for f in process.intake if f.type == "date"}
                dates |= {f.name for s in earlier for f in s.record if f.type == "date"}
                assert stage.deadline.from_ in dates, f"{stage.slug}: counts from unknown date {stage.deadline.from_}"
            assert stage.record, f"{stage.slug} has no record form"
            assert stage.outcomes, f"{stage.slug} has no outcomes"


@pytest.mark.parametrize("council, process", PROCESSES)
def test_every_stage_is_reachable_and_every_path_ends(council, process):
    for ladder in process.ladders:
        slugs = [s.slug for s in ladder.stages]
        assert len(set(slugs)) == len(slugs), f"{ladder.slug}: stage slugs repeat"
        reached, frontier = set(), [ladder.stages[0].slug]
        while frontier:
            slug = frontier.pop()
            if slug in reached:
                continue
            reached.add(slug)
            for outcome in ladder.stage(slug).outcomes:
                if outcome.to == NEXT_RUNG:
                    above = ladder.above(slug)
                    assert above, f"{ladder.slug}/{slug}: '{outcome.slug}' escalates above the top rung"
                    frontier.append(above.slug)
                elif outcome.to is not None:
                    assert outcome.to in slugs, f"{ladder.slug}/{slug}: '{outcome.slug}' goes to unknown {outcome.to}"
                    frontier.append(outcome.to)
        assert reached == set(slugs), f"{ladder.slug}: unreachable stages {set(slugs) - reached}"
        assert any(o.closes for s in ladder.stages for o in s.outcomes), f"{ladder.slug}: no outcome closes the case"


@pytest.mark.parametrize("council, process", PROCESSES)
def test_the_ladder_is_chosen_by_a_choice_the_form_offers(council, process):
    if process.ladder_by is None:
        assert len(process.ladders) == 1
        return
    choices = set(process.field(process.ladder_by).choices)
    assert {ladder.when for ladder in process.ladders} == choices


@pytest.mark.parametrize("council", CONCORD.councils.values(), ids=lambda c: c.slug)
def test_every_council_gives_immediate_risk_guidance_and_demo_people_only(council):
    assert council.immediate_risk.strip()
    if council.immediate_risk_role:
        assert any(c.role == council.immediate_risk_role for c in directory_of(council)), "no same-day contact"
    for contact in directory_of(council):
        domain = contact.email.rsplit("@", 1)[-1]
        assert domain == "example.org" or domain.endswith((".example.org", ".invalid")), contact.email
