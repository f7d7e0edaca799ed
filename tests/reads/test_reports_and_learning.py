"""Reports, themes and learning, learning across councils and the audit trail, for safeguarding partnerships.

Small councils are registered inside each test (deadlines in calendar days, so each
figure can be worked out by hand) and their cases raised and closed through the
JSON API by different people, with the clock moved between actions.
"""
from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from core.hookspecs import hookimpl
from core.model import london_sql
from core.model.deadlines import CalendarDays
from core.model.procedures import (
    Council,
    DirectoryEntry,
    Field,
    Ladder,
    Outcome,
    Process,
    Role,
    Stage,
    escalate,
    resolve,
)
from core.model.records import db
from core.testing import connections_at_once, london, post_action, sign_in

FIRST = Role("first-line", "First-line manager")
SENIOR = Role("senior", "Senior manager")
PANEL = Role("panel", "Review panel")
NOTES = (Field("notes", "Notes", "textarea"),)
THEMES = ("Information sharing", "Threshold for referral", "Attendance at planning meetings")


def council(slug: str, name: str, prefix: str) -> Council:
    """A council with two kinds of process, deadlines in calendar days so figures are easy to work out."""
    return Council(
        slug=slug, name=name, nation="ENG", reference_prefix=prefix,
        immediate_risk=f"phone the {name} front door today.",
        themes=THEMES,
        processes=(
            Process(
                "escalation", "Raise a disagreement", "Testing.",
                intake=(Field("agency", "Agency", "choice", choices=("Education", "Health")),
                        Field("what", "What happened", "textarea")),
                ladder_by="agency",
                ladders=(
                    Ladder("education", "Education", when="Education", stages=(
                        Stage("first", "First-line manager", FIRST, CalendarDays(7), NOTES, (resolve(), escalate())),
                        Stage("second", "Senior manager", SENIOR, CalendarDays(7), NOTES,
                              (resolve(), Outcome("final", "Final decision recorded"))),
                    )),
                    Ladder("health", "Health", when="Health", stages=(
                        Stage("first", "First-line manager", FIRST, CalendarDays(7), NOTES, (resolve(),)),
                    )),
                ),
            ),
            Process(
                "conference-dissent", "Dissent from a conference", "Testing.",
                intake=(Field("conference_date", "Date of the conference", "date"),
                        Field("why", "Why you dissent", "textarea")),
                ladders=(Ladder("panel", "Review panel", stages=(
                    Stage("review", "Panel review", PANEL, CalendarDays(3, from_="conference_date"), NOTES,
                          (Outcome("decision-stands", "The decision stands"),
                           Outcome("reconvene", "The conference is reconvened"))),
                )),),
            ),
        ),
    )


class Councils:
    """A plugin contributing several test councils, each with a first-line manager, a senior manager and a panel."""

    def __init__(self, *councils: Council):
        self.councils = {c.slug: c for c in councils}

    @hookimpl
    def concord_register_councils(self):
        return list(self.councils.values())

    @hookimpl
    def concord_demo_directory(self, council):
        if council.slug not in self.councils:
            return None
        return [DirectoryEntry("first-line", "Fran First", f"first@{council.slug}.example.org"),
                DirectoryEntry("senior", "Sid Senior", f"senior@{council.slug}.example.org"),
                DirectoryEntry("panel", "Pip Panel", f"panel@{council.slug}.example.org")]


class Driver:
    """Raises and acts on one council's cases through the JSON API, moving the clock."""

    def __init__(self, client, clock, slug: str):
        self.client, self.clock, self.slug = client, clock, slug

    def at(self, *when):
        self.clock.set(london(*when))
        return self

    def raise_escalation(self, agency: str, raiser: str) -> str:
        return self._raise(raiser, {"process": "escalation", "answers": {"agency": agency, "what": "A decision."}})

    def raise_dissent(self, conference_date: str, raiser: str) -> str:
        return self._raise(raiser, {"process": "conference-dissent",
                                    "answers": {"conference_date": conference_date, "why": "Risk was not weighed."}})

    def _raise(self, raiser, payload) -> str:
        sign_in(self.client, self.slug, f"{raiser}@{self.slug}.example.org")
        response = self.client.post(f"/{self.slug}/api/cases", json=payload)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["reference"]

    def act(self, reference: str, who: str, action: str, themes=(), learning: str | None = None) -> dict:
        sign_in(self.client, self.slug, f"{who}@{self.slug}.example.org", "manager")
        record = {"notes": "Discussed with both agencies."}
        if themes:
            record.update(case_themes=list(themes), case_learning=learning or "Agree who shares reports, and when.")
        response = post_action(self.client, f"/{self.slug}/api/cases/{reference}/actions",
                               {"action": action, "record": record})
        assert response.status_code == 200, response.get_json()
        return response.get_json()


class Tables(HTMLParser):
    """The data tables of a page: caption → rows of cell texts (header row first)."""

    def __init__(self, html: str):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = self._rows = self._cell = None
        self._in_caption = False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""
        elif tag == "br" and self._cell is not None:
            self._cell += " "

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(re.sub(r"\s+", " ", self._cell).strip())
            self._cell = None
        elif tag == "table" and self._rows is not None:
            self.tables[self._caption.strip()] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


RPT = "reportshire"
REPORTSHIRE = council(RPT, "Reportshire Council", "RPT")
OTHERBOROUGH = council("otherborough", "Otherborough Council", "OTH")
HIDDENHAM = council("hiddenham", "Hiddenham Council", "HID")
PERIOD = "from=2026-01-01&to=2026-06-30"
WEEK = CalendarDays(7).describe()
PANEL_DEADLINE = CalendarDays(3, from_="conference_date").describe()


def spread_over_months(client, clock) -> dict[str, str]:
    """Nine cases over six months and five outcomes; the figures the tests expect are worked out beside each."""
    d = Driver(client, clock, RPT)
    refs = {}
    # Raised before the period, closed in January: counts as closed in the period only (23.0 days to close).
    refs["old"] = d.at(2025, 12, 17, 10, 0).raise_escalation("Education", "teacher.nine")
    d.at(2026, 1, 9, 10, 0).act(refs["old"], "first", "resolved", ["Information sharing"])
    # 1: resolved at the first rung after 3.0 days (due 12 Jan: on time).
    refs["a"] = d.at(2026, 1, 5, 10, 0).raise_escalation("Education", "teacher.one")
    d.at(2026, 1, 8, 10, 0).act(refs["a"], "first", "resolved", ["Information sharing"], "Check the referral form.")
    # 2: 10.0 days at the first rung (due 20 Jan: late), 4.0 at the second (due 30 Jan: on time); final decision.
    refs["b"] = d.at(2026, 1, 13, 10, 0).raise_escalation("Education", "teacher.two")
    d.at(2026, 1, 23, 10, 0).act(refs["b"], "first", "escalate")
    d.at(2026, 1, 27, 10, 0).act(refs["b"], "senior", "final", ["Threshold for referral", "Information sharing"])
    # 3: health ladder, 4.3 days (4 days 7 h 12 min), on time.
    refs["c"] = d.at(2026, 2, 2, 10, 0).raise_escalation("Health", "nurse.one")
    d.at(2026, 2, 6, 17, 12).act(refs["c"], "first", "resolved", ["Attendance at planning meetings"])
    # 4: dissent, due the day it arrives (conference + 3 days), decided 2.0 days later: late.
    refs["d"] = d.at(2026, 2, 23, 10, 0).raise_dissent("2026-02-20", "teacher.three")
    d.at(2026, 2, 25, 10, 0).act(refs["d"], "panel", "decision-stands", ["Information sharing"])
    # 5: dissent raised 13 March about a conference on 2 March: due 5 March, late on arrival, still open.
    refs["e"] = d.at(2026, 3, 13, 10, 0).raise_dissent("2026-03-02", "teacher.four")
    # 6: British Summer Time; resolved 12 hours later (0.5 days).
    refs["f"] = d.at(2026, 4, 1, 10, 0).raise_escalation("Education", "teacher.five")
    d.at(2026, 4, 1, 22, 0).act(refs["f"], "first", "resolved", ["Threshold for referral"])
    # 7: 00:30 on 1 June in London is still 31 May in UTC: a June case. Due 8 June: overdue by 1 July.
    refs["g"] = d.at(2026, 6, 1, 0, 30).raise_escalation("Health", "nurse.two")
    # 8: raised the day before the report is read: open, not overdue.
    refs["h"] = d.at(2026, 6, 30, 10, 0).raise_escalation("Education", "teacher.six")
    d.at(2026, 7, 1, 10, 0)
    return refs


EXPECTED = {
    "by_process": [
        {"process": "escalation", "title": "Raise a disagreement", "raised": 6, "open": 2, "closed": 4},
        {"process": "conference-dissent", "title": "Dissent from a conference", "raised": 2, "open": 1, "closed": 1},
    ],
    "by_outcome": [
        {"process": "escalation", "outcome": "final", "label": "Final decision recorded", "cases": 1},
        {"process": "escalation", "outcome": "resolved", "label": "Resolved", "cases": 3},
        {"process": "escalation", "outcome": None, "label": "Still open", "cases": 2},
        {"process": "conference-dissent", "outcome": "decision-stands", "label": "The decision stands", "cases": 1},
        {"process": "conference-dissent", "outcome": None, "label": "Still open", "cases": 1},
    ],
    "overdue_now": [
        {"process": "escalation", "title": "Raise a disagreement", "open": 2, "overdue": 1, "late_on_arrival": 0},
        {"process": "conference-dissent", "title": "Dissent from a conference", "open": 1, "overdue": 1,
         "late_on_arrival": 1},
    ],
    "monthly": [
        {"month": "2026-01", "raised": 2, "closed": 3}, {"month": "2026-02", "raised": 2, "closed": 2},
        {"month": "2026-03", "raised": 1, "closed": 0}, {"month": "2026-04", "raised": 1, "closed": 1},
        {"month": "2026-05", "raised": 0, "closed": 0}, {"month": "2026-06", "raised": 2, "closed": 0},
    ],
    "themes": [
        {"theme": "Information sharing", "cases": 4, "months": {"2026-01": 3, "2026-02": 1}},
        {"theme": "Threshold for referral", "cases": 2, "months": {"2026-01": 1, "2026-04": 1}},
        {"theme": "Attendance at planning meetings", "cases": 1, "months": {"2026-02": 1}},
    ],
}
# Stages: (process, ladder, stage) → closed, median, 90th percentile, on time, on time %.
# Education first rung: 0.5, 3.0, 10.0 days → median (rank 2) 3.0, 90th (rank 3) 10.0; two of three on time.
STAGES = {
    ("escalation", "education", "first"): (3, 3.0, 10.0, 2, 67),
    ("escalation", "education", "second"): (1, 4.0, 4.0, 1, 100),
    ("escalation", "health", "first"): (1, 4.3, 4.3, 1, 100),
    ("conference-dissent", "panel", "review"): (1, 2.0, 2.0, 0, 0),
}
# Raised to closed, cases closed in the period: 0.5, 3.0, 4.3, 14.0, 23.0 → median 4.3, 90th (rank 5) 23.0.
RESOLUTION = {"escalation": (5, 4.3, 23.0), "conference-dissent": (1, 2.0, 2.0)}


def reporting_app(make_app, *councils):
    # Many people sign in from one test client: lift the per-network sign-in limit.
    return make_app(PLUGINS=[Councils(*(councils or (REPORTSHIRE,)))], RATE_LIMIT_SIGN_IN="1000/minute",
                    RATE_LIMIT_API_WRITE="1000/minute")


def test_each_figure_in_the_summary_json_is_the_one_worked_out_by_hand(make_app, clock):
    client = reporting_app(make_app).test_client()
    spread_over_months(client, clock)
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    summary = client.get(f"/{RPT}/api/reports/summary?{PERIOD}").get_json()
    assert {"by_process", "by_outcome", "time_per_stage", "overdue_now", "monthly", "themes"} <= set(summary)
    for key, expected in EXPECTED.items():
        assert summary[key] == expected, key
    assert {(r["process"], r["ladder"], r["stage"]): (r["closed"], r["median_days"], r["p90_days"], r["on_time"],
                                                      r["on_time_percent"])
            for r in summary["time_per_stage"]} == STAGES
    assert {r["process"]: (r["closed"], r["median_days"], r["p90_days"])
            for r in summary["time_to_resolution"]} == RESOLUTION
    assert [(r["ladder"], r["raised"]) for r in summary["by_ladder"]] == [("education", 4), ("health", 2), ("panel", 2)]
    assert [(r["ladder"], r["stage"], r["cases"]) for r in summary["by_stage_reached"]] == [
        ("education", "first", 3), ("education", "second", 1), ("health", "first", 2), ("panel", "review", 2)]

    one = client.get(f"/{RPT}/api/reports/summary?{PERIOD}&process=conference-dissent").get_json()
    assert one["by_process"] == [EXPECTED["by_process"][1]]
    assert [(m["raised"], m["closed"]) for m in one["monthly"]] == [(0, 0), (1, 1), (1, 0), (0, 0), (0, 0), (0, 0)]
    assert one["themes"] == [{"theme": "Information sharing", "cases": 1, "months": {"2026-02": 1}}]

    refused = client.get(f"/{RPT}/api/reports/summary?from=2026-13-01")
    assert refused.status_code == 400 and "from" in refused.get_json()["errors"]


def test_on_postgresql_a_report_reads_its_two_halves_on_two_connections_at_once(make_app, migrated, clock):
    """The stages of the period's cases on one connection, open cases, resolution and themes on another."""
    if migrated.startswith("sqlite"):
        pytest.skip("SQLite reads a report on one connection")
    app = reporting_app(make_app)
    client = app.test_client()
    spread_over_months(client, clock)
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    with connections_at_once(app) as most:
        summary = client.get(f"/{RPT}/api/reports/summary?{PERIOD}").get_json()
    assert max(most) == 2
    assert summary["overdue_now"] == EXPECTED["overdue_now"] and summary["themes"] == EXPECTED["themes"]
    assert {r["process"]: r["closed"] for r in summary["time_to_resolution"]} == {p: n for p, (n, _, _) in RESOLUTION.items()}


def test_the_reports_page_shows_the_same_figures_in_its_tables_and_csv(make_app, clock):
    client = reporting_app(make_app).test_client()
    spread_over_months(client, clock)
    sign_in(client, RPT, "partner@reportshire.example.org", "partnership-manager")
    response = client.get(f"/{RPT}/reports/?{PERIOD}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    tables = Tables(page).tables
    assert tables["Cases raised, by process: figures"] == [
        ["Process", "Raised", "Still open", "Closed"],
        ["Raise a disagreement", "6", "2", "4"], ["Dissent from a conference", "2", "1", "1"]]
    assert tables["Open now: overdue and late on arrival: figures"][1:] == [
        ["Raise a disagreement", "2", "1", "0"], ["Dissent from a conference", "1", "1", "1"], ["All", "3", "2", "1"]]
    assert tables["Time at each stage against its deadline: figures"][1:] == [
        ["Raise a disagreement", "Education", "First-line manager", WEEK, "3", "3.0", "10.0", "2", "67"],
        ["Raise a disagreement", "Education", "Senior manager", WEEK, "1", "4.0", "4.0", "1", "100"],
        ["Raise a disagreement", "Health", "First-line manager", WEEK, "1", "4.3", "4.3", "1", "100"],
        ["Dissent from a conference", "Review panel", "Panel review", PANEL_DEADLINE, "1", "2.0", "2.0", "0", "0"]]
    assert tables["Time from raising to closing: figures"][1:] == [
        ["Raise a disagreement", "5", "4.3", "23.0"], ["Dissent from a conference", "1", "2.0", "2.0"]]
    assert tables["Cases per month: figures"][1:] == [
        ["January 2026", "2", "3"], ["February 2026", "2", "2"], ["March 2026", "1", "0"],
        ["April 2026", "1", "1"], ["May 2026", "0", "0"], ["June 2026", "2", "0"]]
    assert tables["Themes over time: figures"] == [
        ["Theme", "Cases", "January 2026", "February 2026", "March 2026", "April 2026", "May 2026", "June 2026"],
        ["Information sharing", "4", "3", "1", "0", "0", "0", "0"],
        ["Threshold for referral", "2", "1", "0", "0", "1", "0", "0"],
        ["Attendance at planning meetings", "1", "0", "1", "0", "0", "0", "0"]]
    assert tables["Outcomes: figures"][1:] == [
        ["Raise a disagreement", "Final decision recorded", "1"], ["Raise a disagreement", "Resolved", "3"],
        ["Raise a disagreement", "Still open", "2"], ["Dissent from a conference", "The decision stands", "1"],
        ["Dissent from a conference", "Still open", "1"]]
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="concord-chart" role="img"') == 9
    assert "<script" not in page.split('<main')[1].split("</main>")[0]

    download = client.get(f"/{RPT}/reports/by-process.csv?{PERIOD}")
    assert download.mimetype == "text/csv"
    assert download.get_data(as_text=True).splitlines() == [
        "Process,Raised,Still open,Closed", "Raise a disagreement,6,2,4", "Dissent from a conference,2,1,1"]
    monthly = client.get(f"/{RPT}/reports/monthly.csv?{PERIOD}").get_data(as_text=True).splitlines()
    assert monthly[1] == "January 2026,2,3"

    boxes = client.get(f"/{RPT}/reports/?from-day=1&from-month=1&from-year=2026&to-day=30&to-month=6&to-year=2026")
    assert Tables(boxes.get_data(as_text=True)).tables["Cases raised, by process: figures"] == \
        tables["Cases raised, by process: figures"]
    wrong = client.get(f"/{RPT}/reports/?from-day=31&from-month=2&from-year=2026")
    assert wrong.status_code == 400
    assert "There is a problem" in wrong.get_data(as_text=True)
    assert "The start date must be a real date" in wrong.get_data(as_text=True)


def test_a_practitioner_gets_404_and_another_councils_lead_sees_none_of_it(make_app, clock):
    client = reporting_app(make_app).test_client()
    refs = spread_over_months(client, clock)
    sign_in(client, RPT, "teacher.one@reportshire.example.org")
    for path in ("/reports/", f"/reports/by-process.csv?{PERIOD}", "/reports/learning", "/reports/learning.csv",
                 "/api/reports/summary", "/admin/audit/", "/admin/themes", "/admin/settings",
                 f"/cases/{refs['a']}/learning"):
        assert client.get(f"/{RPT}{path}").status_code == 404, path
    assert client.get("/learning").status_code == 404
    assert f'href="/{RPT}/reports/"' not in client.get(f"/{RPT}/cases/").get_data(as_text=True)

    sign_in(client, "westdunbartonshire", "lead@wdc.example.org", "safeguarding-lead")
    for path in ("/reports/", "/api/reports/summary", "/reports/learning.csv", f"/cases/{refs['a']}/learning"):
        assert client.get(f"/{RPT}{path}").status_code == 404, path
    own = client.get("/westdunbartonshire/api/reports/summary?from=2025-01-01&to=2026-12-31").get_json()
    assert own["by_process"] == [] and own["themes"] == [] and own["overdue_now"] == []
    page = client.get("/westdunbartonshire/reports/?from=2025-01-01&to=2026-12-31").get_data(as_text=True)
    assert "RPT-" not in page and "Information sharing" not in page


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def form_of(html: str) -> dict:
    """The hidden fields a case page's record form posts: its CSRF token and the stage entry it acts on."""
    return {"csrf_token": csrf(html), "entry": re.search(r'name="entry" value="(\d+)"', html).group(1)}


def test_closing_a_case_on_its_page_asks_for_themes_and_learning_and_a_lead_adds_more_later(make_app, clock):
    client = reporting_app(make_app).test_client()
    d = Driver(client, clock, RPT)
    ref = d.at(2026, 3, 2, 10, 0).raise_escalation("Education", "teacher.one")
    sign_in(client, RPT, "admin@reportshire.example.org", "council-admin")
    themes_page = client.get(f"/{RPT}/admin/themes").get_data(as_text=True)
    assert all(t in themes_page for t in THEMES)
    added = client.post(f"/{RPT}/admin/themes", data={"csrf_token": csrf(themes_page), "label": "Core group attendance"})
    assert added.status_code == 302
    twice = client.post(f"/{RPT}/admin/themes", data={"csrf_token": csrf(themes_page), "label": "core group ATTENDANCE"})
    assert twice.status_code == 400 and "is already a theme" in twice.get_data(as_text=True)

    sign_in(client, RPT, "first@reportshire.example.org", "manager")
    page = client.get(f"/{RPT}/cases/{ref}").get_data(as_text=True)
    assert "Core group attendance" in page and "without the child&#39;s details" in page
    # Escalating does not close the case: no themes asked for.
    escalated = client.post(f"/{RPT}/cases/{ref}", data={**form_of(page), "notes": "Met.", "action": "escalate"})
    assert escalated.status_code == 302

    sign_in(client, RPT, "senior@reportshire.example.org", "manager")
    page = client.get(f"/{RPT}/cases/{ref}").get_data(as_text=True)
    hidden = form_of(page)
    missing = client.post(f"/{RPT}/cases/{ref}", data={**hidden, "notes": "Agreed.", "action": "resolved"})
    html = missing.get_data(as_text=True)
    assert missing.status_code == 200 and "There is a problem" in html
    assert "Select at least one theme" in html and "Enter the learning from this case" in html
    assert d.client.get(f"/{RPT}/api/cases/{ref}").get_json()["status"] == "open"
    unknown = client.post(f"/{RPT}/cases/{ref}", data={
        **hidden, "notes": "Agreed.", "action": "resolved", "case_themes": "Not a theme",
        "case_learning": "x"})
    assert "Select themes from the list" in unknown.get_data(as_text=True)
    closed = client.post(f"/{RPT}/cases/{ref}", data={
        **hidden, "notes": "Agreed.", "action": "resolved",
        "case_themes": ["Information sharing", "Core group attendance"],
        "case_learning": "Invite health to core groups by email as well as by letter."})
    assert closed.status_code == 302
    page = client.get(f"/{RPT}/cases/{ref}").get_data(as_text=True)
    assert "Themes and learning" in page and "Invite health to core groups" in page
    assert "Core group attendance" in page and "Add themes or learning" not in page  # only leads add later

    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    form = client.get(f"/{RPT}/cases/{ref}/learning").get_data(as_text=True)
    assert 'value="Information sharing"' not in form and 'value="Threshold for referral"' in form
    empty = client.post(f"/{RPT}/cases/{ref}/learning", data={"csrf_token": csrf(form)})
    assert empty.status_code == 400 and "Select a theme or enter the learning" in empty.get_data(as_text=True)
    more = client.post(f"/{RPT}/cases/{ref}/learning", data={
        "csrf_token": csrf(form), "themes": "Threshold for referral", "learning": "Shared at the partnership forum."})
    assert more.status_code == 302
    summary = client.get(f"/{RPT}/api/reports/summary?from=2026-03-01&to=2026-03-31").get_json()
    assert [(t["theme"], t["cases"]) for t in summary["themes"]] == [
        ("Core group attendance", 1), ("Information sharing", 1), ("Threshold for referral", 1)]

    learning = client.get(f"/{RPT}/reports/learning?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert ref in learning and "Invite health to core groups" in learning and "Shared at the partnership forum." in learning
    assert "A decision." not in learning  # the intake's free text stays on the case
    rows = list(csv.reader(io.StringIO(client.get(
        f"/{RPT}/reports/learning.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True))))
    assert rows[0] == ["Reference", "Process", "Outcome", "Raised", "Closed", "Themes", "Learning"]
    assert rows[1][:5] == [ref, "Raise a disagreement", "Resolved", "2026-03-02", "2026-03-02"]
    assert sorted(rows[1][5].split("; ")) == ["Core group attendance", "Information sharing", "Threshold for referral"]
    assert rows[1][6] == "Invite health to core groups by email as well as by letter.\n\nShared at the partnership forum."


def test_a_learning_cell_that_looks_like_a_formula_is_exported_as_text(make_app, clock):
    client = reporting_app(make_app).test_client()
    d = Driver(client, clock, RPT)
    ref = d.at(2026, 3, 2, 10, 0).raise_escalation("Health", "nurse.one")
    d.at(2026, 3, 3, 10, 0).act(ref, "first", "resolved", ["Information sharing"], "=HYPERLINK(\"http://x.invalid\")")
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    rows = list(csv.reader(io.StringIO(client.get(
        f"/{RPT}/reports/learning.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True))))
    assert rows[1][6] == "'=HYPERLINK(\"http://x.invalid\")"


def share(client, slug: str, answer: str) -> None:
    sign_in(client, slug, f"admin@{slug}.example.org", "council-admin")
    page = client.get(f"/{slug}/admin/settings").get_data(as_text=True)
    assert client.post(f"/{slug}/admin/settings", data={"csrf_token": csrf(page), "share": answer}).status_code == 302


def test_across_councils_only_sharing_councils_appear_and_a_count_of_3_is_suppressed(make_app, clock):
    client = reporting_app(make_app, REPORTSHIRE, OTHERBOROUGH, HIDDENHAM).test_client()
    # Reportshire closes five escalations after 1, 2, 3, 4 and 10 days; Otherborough three; Hiddenham six.
    for slug, days in ((RPT, (1, 2, 3, 4, 10)), ("otherborough", (5, 6, 7)), ("hiddenham", (1, 1, 1, 1, 1, 1))):
        d = Driver(client, clock, slug)
        for n, length in enumerate(days):
            ref = d.at(2026, 2, 2 + n, 10, 0).raise_escalation("Health", f"nurse.{n}")
            d.at(2026, 2, 2 + n + length, 10, 0).act(ref, "first", "resolved", ["Information sharing"])
    share(client, RPT, "yes")
    share(client, "otherborough", "yes")
    share(client, "hiddenham", "no")
    clock.set(london(2026, 11, 24, 10, 0))

    sign_in(client, "otherborough", "partner@otherborough.example.org", "partnership-manager")
    data = client.get("/api/learning?quarter=2026-Q1").get_json()
    assert [c["council"] for c in data["councils"]] == ["otherborough", RPT]
    assert data["time_to_resolution"] == [{"process": "escalation", "title": "Raise a disagreement", "councils": [
        {"council": "otherborough", "name": "Otherborough Council", "closed": None, "suppressed": True,
         "median_days": None, "p90_days": None},
        {"council": RPT, "name": "Reportshire Council", "closed": 5, "suppressed": False,
         "median_days": 3.0, "p90_days": 10.0},
    ]}]
    assert data["themes"] == [{"theme": "Information sharing", "councils": [
        {"council": "otherborough", "name": "Otherborough Council", "cases": None, "suppressed": True},
        {"council": RPT, "name": "Reportshire Council", "cases": 5, "suppressed": False}]}]
    text = str(data)
    assert "hiddenham" not in text.lower() and "-2026-" not in text and "Nurse" not in text

    page = client.get("/learning?quarter=2026-Q1").get_data(as_text=True)
    tables = Tables(page).tables
    assert tables["Days from raising to closing: Raise a disagreement: figures"][1:] == [
        ["Otherborough Council", "fewer than 5", "–", "–"], ["Reportshire Council", "5", "3.0", "10.0"]]
    assert tables["Themes recorded when cases closed: figures"] == [
        ["Theme", "Otherborough Council", "Reportshire Council"], ["Information sharing", "fewer than 5", "5"]]
    assert "Hiddenham" not in page and "OTH-2026" not in page and "RPT-2026" not in page

    share(client, RPT, "no")
    sign_in(client, "otherborough", "partner@otherborough.example.org", "partnership-manager")
    assert "Reportshire" not in client.get("/learning?quarter=2026-Q1").get_data(as_text=True)


def test_learning_across_councils_cannot_be_differenced_and_is_only_for_councils_that_share(make_app, clock):
    """2 Sep (6 cases) and 2-3 Sep (8 cases) once gave 8 - 6 = 2 for a suppressed day: ranges of days are
    refused, quarters never overlap, a quarter still running is refused, and a council that keeps its own
    figures back reads nobody else's."""
    client = reporting_app(make_app, REPORTSHIRE, OTHERBOROUGH, HIDDENHAM).test_client()
    for slug, n in ((RPT, 6), ("otherborough", 5)):
        d = Driver(client, clock, slug)
        for i in range(n):
            ref = d.at(2026, 9, 2, 9, i).raise_escalation("Health", f"nurse.{i}")
            d.at(2026, 9, 2 + (i == 0), 15, i).act(ref, "first", "resolved", ["Information sharing"])
    for slug in (RPT, "otherborough"):
        share(client, slug, "yes")
    share(client, "hiddenham", "no")
    clock.set(london(2026, 11, 24, 10, 0))

    sign_in(client, "otherborough", "partner@otherborough.example.org", "partnership-manager")
    for query in ("from=2026-09-02&to=2026-09-02", "from=2026-09-02&to=2026-09-03", "from=2026-07-01&to=2026-09-30",
                  "quarter=2026-Q4", "quarter=2026-Q3&to=2026-09-02", "quarter=1999-Q1", "quarter=2026-Q5"):
        assert client.get(f"/api/learning?{query}").status_code == 400, query
        assert client.get(f"/learning?{query}").status_code == 400, query
    whole = client.get("/api/learning?quarter=2026-Q3").get_json()
    assert [c["closed"] for c in whole["time_to_resolution"][0]["councils"]] == [5, 6]
    assert client.get("/api/learning").get_json() == whole, "the last whole quarter by default"

    sign_in(client, "hiddenham", "partner@hiddenham.example.org", "partnership-manager")
    refused = client.get("/api/learning?quarter=2026-Q3")
    assert refused.status_code == 403 and "does not share" in refused.get_json()["error"]
    page = client.get("/learning?quarter=2026-Q3").get_data(as_text=True)
    assert "Reportshire" not in page and "Otherborough" not in page and "does not share its figures" in page


def test_a_stage_is_on_time_by_its_london_date_either_side_of_midnight_and_of_each_clock_change(app):
    """The database's on-time test against Python's London date, every 10 minutes from 21:00 to 03:00 UTC."""
    from datetime import UTC, date, datetime, timedelta

    from sqlalchemy import Date, DateTime, literal, select

    from core.model.clock import LONDON
    from core.model.records import db

    with app.app_context():
        for day in (date(2026, 1, 15), date(2026, 3, 28), date(2026, 3, 29), date(2026, 7, 15), date(2026, 10, 24),
                    date(2026, 10, 25)):
            start = datetime.combine(day, datetime.min.time()) + timedelta(hours=21)
            for moment in (start + timedelta(minutes=10 * i, seconds=s) for i in range(37) for s in (-1, 0)):
                due = [day + timedelta(days=k) for k in (-1, 0, 1)]
                found = db.session.execute(select(*(
                    london_sql.on_or_before(literal(moment, DateTime), literal(d, Date)) for d in due))).one()
                london_day = moment.replace(tzinfo=UTC).astimezone(LONDON).date()
                assert [bool(f) for f in found] == [london_day <= d for d in due], moment


def test_the_audit_trail_finds_every_view_and_export_of_a_case(make_app, clock):
    client = reporting_app(make_app).test_client()
    d = Driver(client, clock, RPT)
    ref = d.at(2026, 3, 2, 10, 0).raise_escalation("Health", "nurse.one")
    other = d.at(2026, 3, 2, 11, 0).raise_escalation("Health", "nurse.two")
    d.at(2026, 3, 3, 9, 0)
    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    client.get(f"/{RPT}/cases/{ref}")
    client.get(f"/{RPT}/api/cases/{ref}")
    client.get(f"/{RPT}/cases/")
    page = client.get(f"/{RPT}/cases/{ref}").get_data(as_text=True)
    client.post(f"/{RPT}/cases/{ref}", data={**form_of(page), "action": "resolved"})  # errors: a read
    assert client.get(f"/{RPT}/cases/{ref}/record").status_code == 200  # printed
    assert client.get(f"/{RPT}/cases/{ref}/export.json").status_code == 200
    d.at(2026, 3, 4, 10, 0).act(ref, "first", "resolved", ["Information sharing"])
    d.at(2026, 3, 5, 9, 0)
    sign_in(client, RPT, "partner@reportshire.example.org", "partnership-manager")
    client.get(f"/{RPT}/reports/learning.csv?from=2026-03-01&to=2026-03-31")
    client.get(f"/{RPT}/reports/learning?from=2026-03-01&to=2026-03-31")  # the printable page
    client.get(f"/{RPT}/reports/?from=2026-03-01&to=2026-03-31")
    client.get(f"/{RPT}/reports/by-process.csv?from=2026-03-01&to=2026-03-31")

    d.at(2026, 3, 6, 9, 0)
    sign_in(client, RPT, "dpo@reportshire.example.org", "data-protection-officer")
    trail = Tables(client.get(f"/{RPT}/admin/audit/?reference={ref.lower()}").get_data(as_text=True)).tables
    rows = trail["Audit events, newest first"][1:]
    assert [(r[1].split(" ")[0], r[2]) for r in rows] == [
        ("Partner", "Viewed learning (printable page)"),
        ("Partner", "Exported learning (CSV)"),
        ("Fran", "Recorded a stage"),
        ("Fran", "Viewed the case"),  # through the API, to find the stage entry to act on
        ("Lead", "Exported the case (printable record or JSON)"),  # the JSON export
        ("Lead", "Exported the case (printable record or JSON)"),  # the printable record
        ("Lead", "Viewed the case"),  # the form posted with errors shows the answers again
        ("Lead", "Viewed the case"),
        ("Lead", "Viewed the case"),  # through the API
        ("Lead", "Viewed the case"),
        ("Nurse", "Raised the case"),
    ]
    assert {r[3] for r in rows} == {ref}

    everything = Tables(client.get(f"/{RPT}/admin/audit/?from=2026-03-05&to=2026-03-05").get_data(as_text=True)).tables
    actions = [r[2] for r in everything["Audit events, newest first"][1:]]
    assert actions.count("Viewed a report") == 1 and actions.count("Downloaded a report table (CSV)") == 1
    assert actions.count("Exported learning (CSV)") == 2  # the export itself, and its case (the other is open)
    lists = Tables(client.get(f"/{RPT}/admin/audit/?person=lead%40reportshire").get_data(as_text=True)).tables
    assert "Viewed a case list" in [r[2] for r in lists["Audit events, newest first"][1:]]

    download = client.get(f"/{RPT}/admin/audit/audit.csv?reference={ref}")
    lines = list(csv.reader(io.StringIO(download.get_data(as_text=True))))
    assert lines[0] == ["When (UTC)", "Person", "Email", "Action", "Case", "Detail"]
    assert len(lines) == 1 + len(rows) and all(line[4] == ref for line in lines[1:])
    assert other not in download.get_data(as_text=True)
    assert client.post(f"/{RPT}/admin/audit/").status_code in (400, 405)  # read-only: nothing to post

    sign_in(client, RPT, "lead@reportshire.example.org", "safeguarding-lead")
    assert client.get(f"/{RPT}/admin/audit/").status_code == 404


AXE = Path(__file__).parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def accessibility_violations(browser):
    """axe-core's WCAG 2.2 A/AA rules on the page the browser shows (as in test_browser.py)."""
    browser.execute_script(AXE.read_text())
    return browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']})"
        ".then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target).join(' '))));"
    )


@pytest.fixture
def served(make_app, clock):
    """A reporting app with cases spread over months, served over HTTP for the browser."""
    import threading

    from werkzeug.serving import make_server

    app = reporting_app(make_app)
    client = app.test_client()
    refs = spread_over_months(client, clock)
    clock.set(london(2026, 7, 1, 10, 0))
    share(client, RPT, "yes")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", refs
    server.shutdown()


def browser_sign_in(browser, base, email, role):
    from selenium.webdriver.common.by import By

    browser.delete_all_cookies()
    browser.get(f"{base}/{RPT}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()


@pytest.mark.browser
def test_reports_learning_and_audit_pages_have_no_wcag_aa_violations(served, browser):
    from selenium.webdriver.common.by import By

    base, refs = served
    browser_sign_in(browser, base, "lead@reportshire.example.org", "safeguarding-lead")
    for path in (f"/{RPT}/reports/?{PERIOD}", f"/{RPT}/reports/?from-day=31&from-month=2&from-year=2026",
                 f"/{RPT}/reports/learning?{PERIOD}", "/learning", f"/{RPT}/cases/{refs['a']}",
                 f"/{RPT}/cases/{refs['a']}/learning"):
        browser.get(base + path)
        if path.startswith(f"/{RPT}"):
            assert "Reports" in browser.find_element(By.CLASS_NAME, "govuk-service-navigation").text
        assert accessibility_violations(browser) == [], path
    # The closing questions appear only once a closing outcome is chosen (GOV.UK's conditional reveal,
    # whose aria-expanded on a radio axe reports as aria-allowed-attr: that page is not checked here).
    browser.get(f"{base}/{RPT}/cases/{refs['h']}")
    closing = browser.find_element(By.ID, "case_learning")
    assert not closing.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "input[name=action][value=resolved]").click()
    assert closing.is_displayed()

    browser_sign_in(browser, base, "admin@reportshire.example.org", "council-admin")
    for path in (f"/{RPT}/admin/audit/", f"/{RPT}/admin/audit/?reference={refs['a']}&from-day=40",
                 f"/{RPT}/admin/themes", f"/{RPT}/admin/settings"):
        browser.get(base + path)
        assert accessibility_violations(browser) == [], path


def test_the_learning_export_lists_each_case_with_only_its_own_themes_and_learning(make_app, clock):
    """Two councils close several cases each, with different themes and learning: every row of one
    council's learning page and CSV carries that case's words only, and nothing of the other council."""
    client = reporting_app(make_app, REPORTSHIRE, OTHERBOROUGH).test_client()
    written = {}
    for slug in (RPT, "otherborough"):
        d = Driver(client, clock, slug)
        for n, themes in enumerate((["Information sharing"], ["Threshold for referral", "Information sharing"],
                                    ["Attendance at planning meetings"])):
            ref = d.at(2026, 3, 2 + n, 10, 0).raise_escalation("Health", f"nurse.{n}")
            words = f"Marker {slug} case {n}: agree who shares reports."
            d.at(2026, 3, 3 + n, 10, 0).act(ref, "first", "resolved", themes, words)
            written[ref] = (slug, "; ".join(sorted(themes)), words)

    for slug in (RPT, "otherborough"):
        sign_in(client, slug, f"lead@{slug}.example.org", "safeguarding-lead")
        rows = list(csv.reader(io.StringIO(client.get(
            f"/{slug}/reports/learning.csv?from=2026-03-01&to=2026-03-31").get_data(as_text=True))))
        assert [(r[0], r[5], r[6]) for r in rows[1:]] == [
            (ref, themes, words) for ref, (of, themes, words) in written.items() if of == slug]
        page = client.get(f"/{slug}/reports/learning?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
        other = "otherborough" if slug == RPT else RPT
        assert f"Marker {other}" not in page and page.count(f"Marker {slug}") == 3


# --- one behaviour on both databases ------------------------------------------------------------


def _differential_world(url: str, clock):
    """Three councils on ``url``: several cases each over every process, themes and learning on each."""
    from flask_migrate import upgrade

    from core.app import create_app
    from core.testing import TEST_SECRET_KEY, seed_demo_directories

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY, "CLOCK": clock,
                      "CONCORD_ENV": "development", "DEV_SIGN_IN": True, "LOAD_ENTRY_POINTS": False,
                      "PLUGINS": [Councils(REPORTSHIRE, OTHERBOROUGH, HIDDENHAM)],
                      "RATE_LIMIT_SIGN_IN": "1000/minute", "RATE_LIMIT_API_WRITE": "1000/minute"})
    with app.app_context():
        upgrade()
        seed_demo_directories(app)
    client = app.test_client()
    spread_over_months(client, clock)
    themes = (["Information sharing", "Threshold for referral"], ["Attendance at planning meetings"],
              ["Threshold for referral"], ["Information sharing", "Attendance at planning meetings"])
    for slug in ("otherborough", "hiddenham"):
        d = Driver(client, clock, slug)
        for n in range(6):
            agency = ("Education", "Health")[n % 2]
            ref = d.at(2026, 2 + n % 4, 3 + n, 9, n).raise_escalation(agency, f"worker.{n}")
            if n % 3 != 2:
                d.at(2026, 2 + n % 4, 5 + n, 14, n).act(ref, "first", "resolved", themes[n % 4],
                                                        f"{slug} learning {n}: agree one plan.")
            dissent = d.at(2026, 3, 10 + n, 9, 0).raise_dissent(f"2026-03-0{1 + n}", f"chair.{n}")
            if n % 2:
                d.at(2026, 3, 12 + n, 9, 0).act(dissent, "panel", "reconvene", themes[(n + 1) % 4])
    for slug in (RPT, "otherborough"):
        share(client, slug, "yes")
    share(client, "hiddenham", "no")
    clock.set(london(2026, 7, 1, 10, 0))
    return app


def _every_read(app) -> dict[str, object]:
    """Every report, export, list and summary of every council, as its readers get them."""
    client, out = app.test_client(), {}
    for slug in (RPT, "otherborough", "hiddenham"):
        sign_in(client, slug, f"lead@{slug}.example.org", "safeguarding-lead")
        page = client.get(f"/{slug}/reports/?{PERIOD}").get_data(as_text=True)
        out[f"{slug} report tables"] = Tables(page).tables
        out[f"{slug} summary"] = client.get(f"/{slug}/api/reports/summary?{PERIOD}").get_json()
        for process in ("escalation", "conference-dissent"):
            out[f"{slug} summary {process}"] = client.get(
                f"/{slug}/api/reports/summary?{PERIOD}&process={process}").get_json()
        for csv_path in sorted(set(re.findall(rf'href="(/{slug}/reports/[a-z-]+\.csv)[^"]*"', page))):
            out[csv_path] = client.get(f"{csv_path}?{PERIOD}").get_data(as_text=True)
        out[f"{slug} learning.csv"] = client.get(f"/{slug}/reports/learning.csv?{PERIOD}").get_data(as_text=True)
        out[f"{slug} learning page"] = Tables(client.get(
            f"/{slug}/reports/learning?{PERIOD}").get_data(as_text=True)).tables
        out[f"{slug} cases.csv"] = client.get(f"/{slug}/cases/export.csv?free_text=yes").get_data(as_text=True)
        for status in ("", "open", "overdue", "closed"):
            for sort in ("raised", "due"):
                out[f"{slug} list {status} {sort}"] = client.get(
                    f"/{slug}/api/cases?status={status}&sort={sort}&per_page=5&page=2").get_json()
        out[f"{slug} search"] = client.post(f"/{slug}/api/cases/search", json={"q": "2026"}).get_json()
        sign_in(client, slug, f"partner@{slug}.example.org", "partnership-manager")
        for quarter in ("2026-Q1", "2026-Q2"):
            out[f"{slug} across {quarter}"] = client.get(f"/api/learning?quarter={quarter}").get_json()
    return out


def test_sqlite_and_postgresql_give_the_same_reports_exports_lists_and_summaries(tmp_path, clock):
    """The same multi-council data loaded into both databases: every read answers alike, row for row."""
    from core.testing import scratch_postgres_database

    reads = {}
    with scratch_postgres_database("concord_diff") as postgresql_url:
        for label, url in (("sqlite", f"sqlite:///{tmp_path / 'diff.db'}"), ("postgresql", postgresql_url)):
            clock.set(london(2026, 1, 1, 9, 0))
            app = _differential_world(url, clock)
            reads[label] = _every_read(app)
            with app.app_context():
                db.session.remove()
                db.engine.dispose()
    lite, pg = reads["sqlite"], reads["postgresql"]
    assert sorted(lite) == sorted(pg)
    assert len(lite) > 60
    assert any("otherborough learning 4" in str(v) for v in lite.values()), "the world has learning in it"
    for key in sorted(lite):
        assert lite[key] == pg[key], key
