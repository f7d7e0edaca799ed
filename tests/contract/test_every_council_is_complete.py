"""Run over every installed council: its procedure passes the start-up check and its demo
directory has someone on every rung, fictional people only."""

import pytest

from core.app import create_app
from core.model.checks import check
from core.runtime import concord

APP = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "contract-" * 4})
CONCORD = concord(APP)
COUNCILS = [pytest.param(council, id=council.slug) for council in CONCORD.councils.values()]


def test_the_five_councils_are_installed():
    assert {"westdunbartonshire", "gloucestershire", "leeds", "surrey", "dumfriesgalloway"} <= set(CONCORD.councils)


def directory_of(council):
    return CONCORD.pm.hook.concord_demo_directory(council=council) or []


@pytest.mark.parametrize("council", COUNCILS)
def test_every_council_passes_the_start_up_check(council):
    check(council)  # raises InvalidCouncil listing every problem


@pytest.mark.parametrize("council", COUNCILS)
def test_every_stage_has_a_role_in_the_demo_directory(council):
    contacts = directory_of(council)
    for process, ladder, stage in council.stages():
        if stage.role.person or stage.raiser_sends:
            continue  # held by the person named on the case (or who raised it), not a directory rung
        rung = [c for c in contacts if c.role == stage.role.slug]
        assert rung, f"{ladder.slug}/{stage.slug}: nobody is {stage.role.slug!r} in the demo directory"
        if stage.role.scope:
            choices = process.field(stage.role.scope).choices
            missing = [c for c in choices if not any(p.scope in (c, None) for p in rung)]
            assert not missing, f"{stage.role.slug}: no contact for {missing}"


@pytest.mark.parametrize("council", COUNCILS)
def test_every_council_gives_immediate_risk_guidance_and_demo_people_only(council):
    assert council.immediate_risk.strip()
    if council.immediate_risk_role:
        assert any(c.role == council.immediate_risk_role for c in directory_of(council)), "no same-day contact"
    for contact in directory_of(council):
        domain = contact.email.rsplit("@", 1)[-1]
        assert domain == "example.org" or domain.endswith((".example.org", ".invalid")), contact.email
