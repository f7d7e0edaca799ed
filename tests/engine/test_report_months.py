"""The reports' monthly rows (``core.engine.report_months``): kept equal to what the cases hold, by every change.

Several councils' cases are raised, escalated, closed in another month than they were raised in,
and erased, through the JSON API; after each step the rows kept in the cases' own transactions are
compared with the same rows counted from the cases by the database (the migration's back-fill), and
a few with figures worked out by hand.
"""
from __future__ import annotations

import dataclasses
import threading
import time
from datetime import date

import pytest
from sqlalchemy import delete, select

from core.engine import report_months, retention
from core.engine.report_months import Key
from core.model.records import ReportMonth, db
from core.testing import counted, london, sign_in
from tests.engine.test_statement_counts import ESCALATION, WDC
from tests.reads.test_reports_and_learning import (
    OTHERBOROUGH,
    PERIOD,
    REPORTSHIRE,
    RPT,
    Driver,
    reporting_app,
    spread_over_months,
)

OTH = OTHERBOROUGH.slug


def kept(app) -> dict[Key, tuple[int, int, int]]:
    """The rows as the cases' transactions left them (rows added up to nothing are no figure)."""
    with app.app_context():
        rows = db.session.scalars(select(ReportMonth)).all()
        return {Key(r.council, r.month, r.figure, r.process, r.ladder, r.name, r.outcome, r.tenths):
                (r.cases, r.on_time, r.reached) for r in rows if r.cases or r.on_time or r.reached}


def from_the_cases(app) -> dict[Key, tuple[int, int, int]]:
    with app.app_context():
        found = report_months.with_years(
            report_months.from_cases(db.session.execute, db.engine.dialect.name == "postgresql", open_now=True))
        return {key: (c, o, r) for key, (c, o, r) in found.items() if c or o or r}


def otherborough_cases(client, clock) -> dict[str, str]:
    """Three cases: one escalated in February and closed in March (raised in January), one closed the day after, one open."""
    d = Driver(client, clock, OTH)
    refs = {"x": d.at(2026, 1, 30, 10, 0).raise_escalation("Education", "teacher.one")}
    d.at(2026, 2, 2, 10, 0).act(refs["x"], "first", "escalate")
    refs["y"] = d.at(2026, 2, 10, 10, 0).raise_escalation("Health", "nurse.one")
    d.at(2026, 2, 11, 16, 0).act(refs["y"], "first", "resolved", ["Threshold for referral"])
    refs["z"] = d.at(2026, 3, 1, 10, 0).raise_dissent("2026-02-27", "teacher.two")
    d.at(2026, 3, 3, 10, 0).act(refs["x"], "senior", "final", ["Information sharing"])
    return refs


def test_the_monthly_rows_equal_the_cases_through_opening_escalating_closing_and_erasure(make_app, clock):
    short_lived = [dataclasses.replace(c, retention_years=1) for c in (REPORTSHIRE, OTHERBOROUGH)]
    app = reporting_app(make_app, *short_lived)
    client = app.test_client()
    spread_over_months(client, clock)
    assert kept(app) == from_the_cases(app)
    otherborough_cases(client, clock)
    rows = kept(app)
    assert rows == from_the_cases(app)

    jan, feb, mar = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
    # Reportshire, by hand (tests/test_reports_and_learning.py): raised in January, one resolved and one final.
    assert rows[Key(RPT, jan, "raised", "escalation", "education", outcome="resolved")] == (1, 0, 0)
    assert rows[Key(RPT, jan, "raised", "escalation", "education", outcome="final")] == (1, 0, 0)
    # Closed in January: 23.0 days (raised in December), 3.0 and 14.0.
    assert {k.tenths for k in rows if k[:3] == (RPT, jan, "closed")} == {230, 30, 140}
    # Case b's first rung: 10.0 days, late, and not where it ended; its second: 4.0 days, on time, where it ended.
    assert rows[Key(RPT, jan, "stage", "escalation", "education", "first", "", 100)] == (1, 0, 0)
    assert rows[Key(RPT, jan, "stage", "escalation", "education", "second", "", 40)] == (1, 1, 1)
    # Otherborough's x: raised in January, escalated in February, closed in March after 32.0 days.
    assert rows[Key(OTH, jan, "raised", "escalation", "education", outcome="final")] == (1, 0, 0)
    assert rows[Key(OTH, mar, "closed", "escalation", tenths=320)] == (1, 0, 0)
    assert rows[Key(OTH, jan, "stage", "escalation", "education", "second", "", 290)] == (1, 0, 1)
    # y: 1 day 6 hours is 1.25 days, half way between tenths: shown as Python rounds it, 1.2.
    assert rows[Key(OTH, feb, "closed", "escalation", tenths=12)] == (1, 0, 0)
    # z: open at the panel, counted as reached there.
    assert rows[Key(OTH, mar, "raised", "conference-dissent", "panel")] == (1, 0, 0)
    assert rows[Key(OTH, mar, "stage", "conference-dissent", "panel", "review")] == (0, 0, 1)
    assert rows[Key(OTH, mar, "theme", "escalation", name="Information sharing")] == (1, 0, 0)

    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    # On 3 March, 1 January to today is all of Otherborough's 2026 so far: read from the year's rows. Six
    # weeks later the same days are January's and February's rows and 1-3 March counted from the cases.
    sign_in(client, OTH, "lead@otherborough.example.org", "safeguarding-lead")
    by_year = client.get(f"/{OTH}/api/reports/summary?from=2026-01-01&to=2026-03-03").get_json()
    clock.set(london(2026, 4, 15, 9, 0))
    sign_in(client, OTH, "lead@otherborough.example.org", "safeguarding-lead")
    by_month = client.get(f"/{OTH}/api/reports/summary?from=2026-01-01&to=2026-03-03").get_json()
    assert {**by_year, "overdue_now": None} == {**by_month, "overdue_now": None}
    assert [(m["raised"], m["closed"]) for m in by_year["monthly"]] == [(1, 0), (1, 1), (1, 1)]
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    before = client.get(f"/{RPT}/api/reports/summary?{PERIOD}").get_json()
    clock.set(london(2027, 6, 1, 9, 0))  # a year after most of them closed: their details go, their figures stay
    with app.app_context():
        erased = retention.purge()
    assert erased.erased[RPT] and erased.erased[OTH]
    assert kept(app) == rows == from_the_cases(app)
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    after = client.get(f"/{RPT}/api/reports/summary?{PERIOD}").get_json()
    assert {**after, "overdue_now": None} == {**before, "overdue_now": None}  # what is overdue depends on the day

    # The migration's back-fill writes the same rows into an empty table.
    with app.app_context():
        db.session.execute(delete(ReportMonth))
        report_months.back_fill(db.session.connection())
        db.session.commit()
    assert kept(app) == rows


def test_a_period_that_starts_and_ends_part_way_through_a_month_counts_only_its_days(make_app, clock):
    client = reporting_app(make_app).test_client()
    spread_over_months(client, clock)
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    # 6 January to 20 March: case a (5 January) is raised the day before it, d (closed 25 February) in it.
    summary = client.get(f"/{RPT}/api/reports/summary?from=2026-01-06&to=2026-03-20").get_json()
    assert [(m["month"], m["raised"], m["closed"]) for m in summary["monthly"]] == [
        ("2026-01", 1, 3), ("2026-02", 2, 2), ("2026-03", 1, 0)]
    assert {r["process"]: r["raised"] for r in summary["by_process"]} == {"escalation": 2, "conference-dissent": 2}
    assert {r["process"]: (r["closed"], r["median_days"], r["p90_days"]) for r in summary["time_to_resolution"]} == {
        "escalation": (4, 4.3, 23.0), "conference-dissent": (1, 2.0, 2.0)}


def test_on_postgresql_two_cases_counted_at_once_both_count(make_app, migrated):
    """The second transaction's upsert waits for the first's row, then adds to it: nothing is lost."""
    if migrated.startswith("sqlite"):
        pytest.skip("SQLite writes one transaction at a time")
    app = make_app()
    key = Key(WDC, date(2026, 11, 1), "raised", "escalation", "education")
    first_wrote, finished = threading.Event(), []

    def open_one(first: bool):
        with app.app_context():
            session = db.session()
            report_months.count(session, key, cases=1)
            if not first:
                first_wrote.wait(10)
            report_months.write(session)
            if first:
                first_wrote.set()
                time.sleep(0.5)  # the second is now waiting for this row
            session.commit()
            finished.append(first)

    for _ in range(2):  # a new row, then a row both find there
        first_wrote.clear()
        threads = [threading.Thread(target=open_one, args=(first,)) for first in (True, False)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(20)
    assert finished == [True, False, True, False]
    with app.app_context():
        assert db.session.get(ReportMonth, (key.council, key.figure, key.month, *key[3:])).cases == 4


def test_the_reports_page_reads_as_many_statements_with_many_cases_as_with_few(app, client, clock):
    def raise_cases(n):
        sign_in(client, WDC, "teacher.demo@wdc.example.org")
        for i in range(n):
            answers = {**ESCALATION["answers"], "decision": f"Decision {i}."}
            assert client.post(f"/{WDC}/api/cases", json={**ESCALATION, "answers": answers}).status_code == 201

    def statements(path):
        sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
        assert client.get(path).status_code == 200
        with counted(app) as seen:
            assert client.get(path).status_code == 200
        return [s.split("\n")[0] for s in seen]

    clock.set(london(2026, 11, 24, 10, 0))
    pages = [f"/{WDC}/reports/", f"/{WDC}/reports/?from=2025-03-15&to=2026-11-10"]
    raise_cases(2)
    few = [statements(path) for path in pages]
    raise_cases(12)
    many = [statements(path) for path in pages]
    assert [len(s) for s in many] == [len(s) for s in few], many


def test_an_open_stage_whose_due_day_a_closure_day_moves_is_counted_on_its_new_day(app, client, clock):
    """``core.engine.recalculate`` moves due days outside the case engine: the open stage's row moves with it."""
    from tests.engine.test_recalculation import DISAGREEMENT, TEACHER, admin_closure, confirm_form

    def open_days():
        return {k.month: n for k, n in kept(app).items() if k.figure == "open" and k.council == WDC}

    clock.set(london(2026, 12, 14, 9, 0))  # Monday: due Monday 21 December
    sign_in(client, WDC, TEACHER)
    assert client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": DISAGREEMENT}).status_code == 201
    assert open_days() == {date(2026, 12, 21): (1, 0, 0)}
    clock.set(london(2026, 12, 14, 11, 0))
    page = admin_closure(client, date(2026, 12, 18)).get_data(as_text=True)
    done = client.post(f"/{WDC}/admin/calendar/confirm", data=confirm_form(page), follow_redirects=True)
    assert "1 open stage moved" in done.get_data(as_text=True)
    assert open_days() == {date(2026, 12, 22): (1, 0, 0)}
    assert kept(app) == from_the_cases(app)
