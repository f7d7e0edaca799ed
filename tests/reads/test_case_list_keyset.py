"""Keyset paging of the case list: every sort read page by page from the row the last page ended at.

Each test runs on SQLite and on PostgreSQL (the ``app`` fixtures); the expected order is worked out
here in Python from the cases themselves, so both databases are shown to give the same rows in the
same order, for every sort, walking forward to a deep page and back.
"""
import base64
import re
from datetime import date, timedelta

from sqlalchemy import event, select

from core.model.records import Case, Contact, StageEntry, StageOffer, User, db
from core.reads import caselist
from core.testing import connections_at_once, counted, london, sign_in

WDC = "westdunbartonshire"
LEAD = "lead@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
ESCALATION = {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Social work team",
    "decision": "Closed the referral.", "disagreement": "New concerns.", "tried": "Spoke to the worker.",
}
DISSENT = {
    "conference_date": "2026-09-30", "chair_name": "Ari Vance", "chair_email": "chair@wdc.example.org",
    "agency": "Health", "decision": "No plan.", "reasons": "Risk remains.",
}


def build(make_app, clock):
    """37 cases: raised in three batches (ties on the time raised), 9 closed, open stages due on 4 days."""
    app = make_app(RATE_LIMIT_API_WRITE="1000/minute")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    for batch, (process, body, n) in enumerate([("escalation", ESCALATION, 13), ("conference-dissent", DISSENT, 12),
                                                ("escalation", ESCALATION, 12)]):
        clock.set(london(2026, 11, 20 + batch, 9, 0))
        for _ in range(n):
            assert client.post(f"/{WDC}/api/cases", json={"process": process, "answers": body}).status_code == 201
    clock.set(london(2026, 11, 24, 10, 0))
    with app.app_context():
        entries = db.session.scalars(select(StageEntry).order_by(StageEntry.id)).all()
        for i, entry in enumerate(entries):
            if i % 4 == 1:
                entry.closed_at = entry.case.closed_at = london(2026, 11, 23, 12, 0)
                entry.case.status, entry.outcome, entry.case.outcome = "closed", "resolved", "resolved"
            else:
                entry.due_on = date(2026, 11, 25) + timedelta(days=i % 3 * 2)  # ties on the due date
        db.session.commit()
    return app, client


def expected(app, sort, waiting_first=False, seen_by=None):
    with app.app_context():
        cases = db.session.scalars(select(Case)).all()
        rows = []
        for case in cases:
            entry = case.current
            if seen_by == "head" and case.process != "escalation":
                continue
            key = {"raised": (-case.raised_at.timestamp(), -case.id),
                   "reference": (case.reference, -case.id),
                   "due": (0, entry.due_on.toordinal(), -case.raised_at.timestamp(), -case.id) if entry
                   else (1, 0, -case.raised_at.timestamp(), -case.id)}[sort]
            if waiting_first:
                key = (0 if entry else 1, *key)
            rows.append((key, case.reference))
        return [reference for _, reference in sorted(rows)]


def walk(client, sort, per_page=5):
    """Every page forward by its next cursor, then back from the last by previous: references per page."""
    pages, got = [], client.get(f"/{WDC}/api/cases?sort={sort}&per_page={per_page}").get_json()
    pages.append(got)
    while got["next"]:
        got = client.get(f"/{WDC}/api/cases?sort={sort}&per_page={per_page}&after={got['next']}").get_json()
        pages.append(got)
    back = [got]
    while got["previous"]:
        got = client.get(f"/{WDC}/api/cases?sort={sort}&per_page={per_page}&before={got['previous']}").get_json()
        back.append(got)
    return pages, back[::-1]


def references(pages):
    return [[c["reference"] for c in page["cases"]] for page in pages]


def test_every_sort_pages_forward_and_back_in_the_same_order_on_both_databases(make_app, clock):
    app, client = build(make_app, clock)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    for sort in ("raised", "due", "reference"):
        forward, backward = walk(client, sort)
        order = expected(app, sort)
        assert [r for page in references(forward) for r in page] == order, sort
        assert references(backward) == references(forward), sort
        assert [p["page"] for p in forward] == list(range(1, 9)) and forward[-1]["pages"] == 8, sort
        assert all(p["total"] == 37 and p["total_is_exact"] for p in forward), sort


def test_someone_holding_a_rung_pages_through_what_waits_for_them_first(make_app, clock):
    app, client = build(make_app, clock)
    sign_in(client, WDC, HEAD, "manager")
    for sort in ("raised", "due"):
        forward, backward = walk(client, sort, per_page=4)
        assert [r for page in references(forward) for r in page] == expected(app, sort, True, "head"), sort
        assert references(backward) == references(forward), sort


def test_what_waits_for_someone_holding_a_rung_is_looked_for_among_the_councils_cases(make_app, clock):
    """Someone holding a rung may see every case ever offered to their contacts: at 1,000,000 cases the
    head of establishment was offered 200,000, and each statement asking for them hashed them all. What
    waits for them is always among those, so the waiting cases and their count are looked for among the
    council's cases, each stage probed for an offer to them; of the page's statements only the rest of the
    list and its count ask for the cases offered to them, and only the count hashes what was offered. The
    list is the same."""
    app, client = build(make_app, clock)
    sign_in(client, WDC, HEAD, "manager")
    with counted(app) as seen:
        got = client.get(f"/{WDC}/api/cases?per_page=30").get_json()
    assert [c["reference"] for c in got["cases"]] == expected(app, "raised", True, "head")
    waiting = [c["reference"] for c in got["cases"] if "waiting-for-me" in c["tags"]]
    assert got["total"] == 25 and len(waiting) == 19, (got["total"], len(waiting))
    asking_for_offered_cases = [s for s in seen if '"case".id IN (SELECT stage_offer.case_id' in s]
    assert len(asking_for_offered_cases) == 2, "the rest of the list, and the count of it"
    hashing_what_was_offered = [s for s in seen if "current_entry.id IN (SELECT stage_offer.stage_entry_id" in s]
    assert hashing_what_was_offered == asking_for_offered_cases[-1:], "the count alone"
    probing = [s for s in seen if "stage_offer.stage_entry_id = current_entry.id" in s]
    assert len(probing) == 3, "both parts of the page, and what waits for them"


def test_someone_offered_more_cases_than_the_list_counts_is_told_so_from_the_offers_alone(make_app, clock, monkeypatch):
    """The list counts no further than ``COUNT_CAP`` cases past its page. When one of the viewer's contacts
    alone was offered more than that, they may see more than that: the count is read from the offers' index
    (1.4 ms at 1,000,000 cases, where counting the cases they may see hashed the 200,000 offered: 100 ms).
    The page says what counting the cases says."""
    app, client = build(make_app, clock)
    sign_in(client, WDC, HEAD, "manager")  # offered the 25 escalations
    monkeypatch.setattr(caselist, "COUNT_CAP", 10)
    with counted(app) as seen:
        from_the_offers = client.get(f"/{WDC}/api/cases?per_page=4").get_json()
    assert not [s for s in seen if s.startswith("SELECT count(*)") and '"case".id IN (SELECT stage_offer' in s]
    assert (from_the_offers["total"], from_the_offers["total_is_exact"]) == (14, False)
    with monkeypatch.context() as counting_the_cases:
        counting_the_cases.setattr(caselist, "_offered_more_than", lambda viewer, cap: False)
        assert client.get(f"/{WDC}/api/cases?per_page=4").get_json() == from_the_offers
    offered_elsewhere(app, "dumfriesgalloway", HEAD, 40)  # another council's contact with the same email
    monkeypatch.setattr(caselist, "COUNT_CAP", 30)  # more than they may see: the cases are counted, exactly
    exact = client.get(f"/{WDC}/api/cases?per_page=4").get_json()
    assert (exact["total"], exact["total_is_exact"]) == (25, True)
    sign_in(client, WDC, LEAD, "safeguarding-lead")  # a lead sees every case, offered or not
    monkeypatch.setattr(caselist, "COUNT_CAP", 10)
    assert client.get(f"/{WDC}/api/cases?per_page=4").get_json()["total"] == 14


def offered_elsewhere(app, council: str, email: str, n: int) -> None:
    """``n`` open cases of another council (Dumfries and Galloway's Education route, at its service lead),
    each offered to that council's contact with this email."""
    with app.app_context():
        raiser = User(council=council, issuer="test", subject="elsewhere", email="raiser@dg.example.org",
                      name="Robin Elsewhere")
        contact = Contact(council=council, role="education-service-lead", scope=None, name="Lead Elsewhere",
                          email=email)
        db.session.add_all([raiser, contact])
        for i in range(n):
            case = Case(council=council, reference=f"DG-2026-{i:04d}", process="escalation", ladder="education",
                        plugin_version="1", answers={}, status="open", raised_by=raiser,
                        raised_at=london(2026, 11, 23, 9, 0))
            entry = StageEntry(case=case, position=0, stage="stage-2", role="education-service-lead",
                               entered_at=case.raised_at, due_on=date(2026, 11, 30))
            db.session.add(StageOffer(entry=entry, contact=contact, case=case))
        db.session.commit()


def test_a_deep_page_is_the_same_rows_by_cursor_as_by_page_number(make_app, clock):
    app, client = build(make_app, clock)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    for sort in ("raised", "due", "reference"):
        forward, _ = walk(client, sort, per_page=4)
        by_number = client.get(f"/{WDC}/api/cases?sort={sort}&per_page=4&page=7").get_json()
        assert by_number["cases"] == forward[6]["cases"] and by_number["page"] == 7, sort
        assert by_number["next"] == forward[6]["next"], "an old numbered page links on by cursor"


def statements(app, client, path):
    seen = []
    with app.app_context():
        engine = db.engine

    def count(*_):
        seen.append(1)
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(seen), response.get_data(as_text=True)


def test_a_deep_page_of_the_list_costs_the_statements_of_the_first(make_app, clock):
    app, client = build(make_app, clock)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    for sort in ("raised", "due"):
        first, html = statements(app, client, f"/{WDC}/cases/?sort={sort}&per_page=4")
        assert "Showing 1 to 4 of 37 cases" in html
        for _ in range(6):
            link = re.search(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="next">', html).group(1)
            deep, html = statements(app, client, link.replace("&amp;", "&"))
        assert "Showing 25 to 28 of 37 cases" in html and "(page 7 of 10)" in html
        assert deep == first, sort
        back = re.search(r'<a class="govuk-link govuk-pagination__link" href="([^"]+)" rel="prev">', html).group(1)
        assert "Showing 21 to 24 of 37 cases" in client.get(back.replace("&amp;", "&")).get_data(as_text=True)


def test_a_page_link_that_was_edited_is_refused_and_the_first_page_shown(client):
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    refused = client.get(f"/{WDC}/api/cases?after=not-a-cursor")
    assert refused.status_code == 400 and "after" in refused.get_json()["errors"]
    due = base64.urlsafe_b64encode(b'[0,["2026-11-25","2026-11-24T10:00:00+00:00",1],0]').decode()
    assert client.get(f"/{WDC}/api/cases?sort=due&after={due}").status_code == 200
    wrong_sort = client.get(f"/{WDC}/api/cases?sort=reference&after={due}")
    assert wrong_sort.status_code == 400, "a cursor of the due-date sort is not one of the reference sort"
    html = client.get(f"/{WDC}/cases/?before=%7B%7D").get_data(as_text=True)
    assert "This page link has expired" in html


def test_previous_from_page_two_shows_the_top_of_the_list_with_cases_raised_since(make_app, clock):
    app, client = build(make_app, clock)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    second = client.get(f"/{WDC}/api/cases?per_page=5&after="
                        + client.get(f"/{WDC}/api/cases?per_page=5").get_json()["next"]).get_json()
    clock.set(london(2026, 11, 24, 10, 5))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    newest = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION}).get_json()
    assert "reference" in newest, newest
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    back = client.get(f"/{WDC}/api/cases?per_page=5&before={second['previous']}").get_json()
    assert back["page"] == 1 and back["previous"] is None
    assert back["cases"][0]["reference"] == newest["reference"] and back["total"] == 38


def test_on_postgresql_a_page_is_read_while_what_follows_it_is_counted_on_a_second_connection(make_app, clock):
    """Forward pages count the rows from their start on another connection meanwhile (the count is the
    longest statement at a million cases); the totals are those counted one after the other."""
    app, client = build(make_app, clock)
    with app.app_context():
        engine = db.engine
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    with connections_at_once(app) as most:
        first = client.get(f"/{WDC}/api/cases?sort=due&per_page=5").get_json()
        second = client.get(f"/{WDC}/api/cases?sort=due&per_page=5&after={first['next']}").get_json()
    assert max(most) == (2 if engine.dialect.name == "postgresql" else 1)
    assert (first["total"], second["total"], second["page"]) == (37, 37, 2)
    assert [r for page in references([first, second]) for r in page] == expected(app, "due")[:10]
