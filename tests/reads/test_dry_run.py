"""The procedure dry run: the real engine and calendar, nothing saved, nothing sent."""
import re

from sqlalchemy import func, select

from core.model.records import db
from core.testing import sign_in

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
    assert "due Tuesday 1 December 2026 (within 1 working day of the conference)" in out   # St Andrew's Day, Monday 30, is skipped
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
    assert "entered Mon 30 Nov 2026 10:00, due Monday 14 December 2026 (within 14 calendar days of the dissent reaching the Head of Service, even if the last day is not a working day)" in out
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


def hidden(page, name):
    return re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)


def intake_fields(page):
    """The answers as the page holds them (a date is three boxes with one name)."""
    fields = {}
    for name, value in re.findall(r'<input[^>]*name="(answers-[^"]+)"[^>]*value="([^"]*)"', page):
        fields.setdefault(name, []).append(value)
    for name, value in re.findall(r'<textarea[^>]*name="(answers-[^"]+)"[^>]*>\s*([^<]*)</textarea>', page):
        fields.setdefault(name, []).append(value.strip())
    return fields


def test_a_council_admin_dry_runs_a_conference_dissent_on_the_page_and_nothing_is_saved(app, client):
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    before = row_counts(app)
    start = client.get(f"/{WDC}/admin/dry-run/").get_data(as_text=True)
    assert "Dry run a procedure" in start
    response = client.post(f"/{WDC}/admin/dry-run/", data={
        "csrf_token": csrf(start), "which": "conference-dissent", "start": ["27", "11", "2026"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    stages = page[page.index('data-testid="stages"'):page.index("</table>", page.index('data-testid="stages"'))]
    assert "Acknowledgement by the Head of Service" in stages and "Drew Kestrel" in stages
    assert "Tuesday 1 December 2026 (within 1 working day of the conference)" in stages
    messages = page[page.index('data-testid="messages"'):page.index("</table>", page.index('data-testid="messages"'))]
    for expected in ("a case is with you, due Tuesday 1 December 2026", "received – Record a dissent",
                     "Tue 1 Dec 2026 07:00", "overdue since Tuesday 1 December 2026", LEAD):
        assert expected in messages
    assert row_counts(app) == before

    # Step: acknowledged on Monday 30 November (St Andrew's Day: the engine still records it that day).
    step = client.post(f"/{WDC}/admin/dry-run/conference-dissent", data={
        "csrf_token": csrf(page), "start": hidden(page, "start"), "steps": hidden(page, "steps"),
        **intake_fields(page), "outcome": "acknowledged", "day": ["1", "12", "2026"], "do": "step"})
    page = step.get_data(as_text=True)
    assert step.status_code == 200, page
    assert hidden(page, "steps") == "acknowledged@2026-12-01"
    assert "Full review by the Head of Service" in page and "Tuesday 15 December 2026 (within 14 calendar days" in page
    assert "No: the stage was acted on first" in page   # the overdue chaser of the acknowledgement
    assert "Next step at Full review by the Head of Service" in page
    assert row_counts(app) == before


def test_only_council_admins_can_dry_run(client):
    for role in ("practitioner", "manager", "safeguarding-lead"):
        sign_in(client, WDC, "someone@wdc.example.org", role)
        assert client.get(f"/{WDC}/admin/dry-run/").status_code == 404
