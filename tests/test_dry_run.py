"""The procedure dry run: the real engine and calendar, nothing saved, nothing sent."""
import re

from sqlalchemy import func, select

from core.models import db
from core.testing import london, sign_in

WDC = "westdunbartonshire"
HEAD_OF_SERVICE = "head.of.service@wdc.example.org"
LEAD = "lead@wdc.example.org"


def row_counts(app):
    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
        db.session.remove()
        return counts


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_a_dry_run_of_a_conference_dissent_from_friday_27_november_prints_the_timeline_and_saves_nothing(app, client):
    sign_in(client, WDC, LEAD, "safeguarding-lead")  # a lead exists, so the long-overdue message has someone to go to
    before = row_counts(app)
    result = app.test_cli_runner().invoke(args=["concord", "dry-run", WDC, "conference-dissent", "--from", "2026-11-27"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Acknowledgement by the Head of Service" in out
    assert "due Tuesday 1 December 2026 (within 1 working day)" in out   # St Andrew's Day, Monday 30, is skipped
    assert "Drew Kestrel <head.of.service@wdc.example.org>" in out
    for line in (f"Fri 27 Nov 2026 10:00  planned    assignment      to {HEAD_OF_SERVICE}",
                 "Fri 27 Nov 2026 10:00  planned    acknowledgement to practitioner.dry-run@example.org",
                 f"Tue 1 Dec 2026 07:00  planned    due-today       to {HEAD_OF_SERVICE}",
                 f"Wed 2 Dec 2026 07:00  planned    overdue         to {HEAD_OF_SERVICE}",
                 "Wed 2 Dec 2026 07:00  planned    overdue         to practitioner.dry-run@example.org",
                 f"Thu 3 Dec 2026 07:00  planned    long-overdue    to {LEAD}"):
        assert line in out, out
    assert "Nothing was saved and no message was sent." in out
    assert row_counts(app) == before


def test_a_dry_run_steps_through_the_ladder_on_the_days_chosen(app):
    before = row_counts(app)
    result = app.test_cli_runner().invoke(args=[
        "concord", "dry-run", WDC, "conference-dissent", "--from", "2026-11-27",
        "--choose", "acknowledgement=acknowledged@2026-11-30", "--choose", "review=decision-stands@2026-12-10"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "entered Mon 30 Nov 2026 10:00, due Monday 14 December 2026 (within 14 days)" in out
    assert "Thu 10 Dec 2026 10:00: Agreement with the majority: the decision of the conference stands" in out
    assert "The case is closed." in out
    assert f"Tue 1 Dec 2026 07:00  cancelled  due-today       to {HEAD_OF_SERVICE}" in out
    assert "outcome         to chair.email.dry-run@example.org" in out
    assert row_counts(app) == before


def test_a_dry_run_explains_a_wrong_step(app):
    result = app.test_cli_runner().invoke(args=[
        "concord", "dry-run", WDC, "conference-dissent", "--from", "2026-11-27", "--choose", "review=escalate@2026-11-30"])
    assert result.exit_code == 1
    assert "Step 1: the case is at acknowledgement, not review" in result.output
