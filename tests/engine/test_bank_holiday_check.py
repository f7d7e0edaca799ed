"""A one-off bank holiday proclaimed after cases were opened: the daily check tells the admins, --apply moves them."""
from datetime import date

import holidays

import core.model.calendar
from core.testing import drain, london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
ADMIN = "admin@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "d", "disagreement": "w", "tried": "t"}


def proclaim(monkeypatch, day: date, name: str):
    """The installed holidays data gains a one-off Scottish holiday."""
    original = core.model.calendar.bank_holidays
    scotland = holidays.UK(subdiv="SCT", years=range(2026, 2028))
    scotland[day] = name
    monkeypatch.setattr(core.model.calendar, "bank_holidays", lambda nation: scotland if nation == "SCT" else original(nation))


def test_a_proclaimed_holiday_is_found_by_the_daily_check_and_applied_on_request(mail_app, smtp_sink, clock, monkeypatch):
    clock.set(london(2026, 12, 14, 9, 0))  # Monday
    people = mail_app.test_client()
    sign_in(people, WDC, ADMIN, "council-admin")
    sign_in(people, WDC, TEACHER)
    moving = people.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()["reference"]
    drain(mail_app)
    cli = mail_app.test_cli_runner()
    assert "No open stage's due date would move." in cli.invoke(args=["concord", "calendar", "check"]).output

    proclaim(monkeypatch, date(2026, 12, 18), "Proclaimed holiday")
    listed = cli.invoke(args=["concord", "calendar", "check"])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines() == [
        f"{WDC}\t{moving}\tHead of Establishment\tMonday 21 December 2026 -> Tuesday 22 December 2026",
        "1 due date(s) would move; run again with --apply to move them.",
    ]

    # The scheduler's daily check (from 07:00) tells the council admins, once a day.
    clock.set(london(2026, 12, 15, 7, 1))
    before = len(smtp_sink.messages)
    drain(mail_app)
    drain(mail_app)
    told = [m for m in smtp_sink.messages[before:] if "bank holidays" in m["Subject"]]
    assert [(m["To"], m["Subject"]) for m in told] == [(ADMIN, "Concord: bank holidays changed – 1 due date(s) would move")]
    assert f"{moving}, Head of Establishment: Monday 21 December 2026 → Tuesday 22 December 2026" in told[0].get_body(("plain",)).get_content()

    sign_in(people, WDC, "lead@wdc.example.org", "safeguarding-lead")
    assert people.get(f"/{WDC}/api/cases/{moving}").get_json()["stage"]["due_on"] == "2026-12-21", "a check moves nothing"

    applied = cli.invoke(args=["concord", "calendar", "check", "--apply"])
    assert "1 due date(s) moved." in applied.output
    case = people.get(f"/{WDC}/api/cases/{moving}").get_json()
    assert case["stage"]["due_on"] == "2026-12-22"
    assert case["timeline"][-1]["summary"] == ("Due date moved from Monday 21 December 2026 to Tuesday 22 December 2026 "
                                               "because bank holidays changed")
    before = len(smtp_sink.messages)
    drain(mail_app)
    assert [(m["To"], m["Subject"]) for m in smtp_sink.messages[before:]] == [
        (HEAD, f"{moving}: due date moved – now Tuesday 22 December 2026")]
    assert "No open stage's due date would move." in cli.invoke(args=["concord", "calendar", "check"]).output
