"""The due-date sort's count: the cases with no open stage first, the open stages joined only when needed.

A page of the list counts the rows after it, up to ``COUNT_CAP`` + 1. Under the due-date sort most of a
council's cases have no open stage (at 1,000,000 cases, 975,000); counting them reaches the cap without
joining a single open stage, where the count used to join every open stage to the cases first. The cap is
made small here (``COUNT_CAP``) so 37 cases show both: a count that stops among the closed cases, and
one that goes on to the open stages.
"""
import pytest
from sqlalchemy import event

from core.model.records import db
from core.reads import caselist
from core.testing import sign_in
from tests.reads.test_case_list_keyset import HEAD, LEAD, WDC, build, walk


def test_every_page_of_the_due_sort_counts_what_comes_after_it_up_to_the_cap(make_app, clock, monkeypatch):
    """Page by page, forward and back, with the count stopping among the closed cases or the open stages:
    the total shown is the rows so far and after, or "more than" it, as when everything was counted."""
    app, client = build(make_app, clock)
    for cap in (3, 6, 12, 30):
        monkeypatch.setattr(caselist, "COUNT_CAP", cap)
        for who, role, cases in ((LEAD, "safeguarding-lead", 37), (HEAD, "manager", 25)):
            sign_in(client, WDC, who, role)
            forward, backward = walk(client, "due", per_page=4)
            for got in forward + backward:
                start = (got["page"] - 1) * 4
                after = cases - start - len(got["cases"])
                assert got["total_is_exact"] == (after <= cap), (cap, who, got["page"])
                assert got["total"] == start + len(got["cases"]) + min(after, cap), (cap, who, got["page"])


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", []):
        yield from plan_nodes(child)


def test_on_postgresql_the_due_sort_counts_the_closed_cases_without_joining_the_open_stages(
        make_app, clock, monkeypatch):
    """The first page's count (from the top: the page's own rows and the cap after them, 2 + 5) reaches
    its end among the 9 cases with no open stage: PostgreSQL never runs the join of the open stages
    (``current_entry``), which the count used to join before counting."""
    app, client = build(make_app, clock)
    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL plan")
    monkeypatch.setattr(caselist, "COUNT_CAP", 5)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    seen = []

    def keep(conn, cursor, statement, parameters, context, executemany):
        if "count(" in statement:
            seen.append((statement, parameters))
    event.listen(engine, "before_cursor_execute", keep)
    try:
        got = client.get(f"/{WDC}/api/cases?sort=due&per_page=2").get_json()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert got["total"] == 7 and not got["total_is_exact"], "2 shown and more than 5 after them"
    assert len(seen) == 1, "one count"
    statement, parameters = seen[0]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0][0]["Plan"]
    finally:
        raw.close()
    nodes = list(plan_nodes(plan))
    joined = [n for n in nodes if n.get("Alias") == "current_entry"]
    assert joined, "the open stages' join is still there, for a count the closed cases do not fill"
    assert all(n["Actual Loops"] == 0 for n in joined), [(n["Node Type"], n["Actual Loops"]) for n in joined]
    assert any(n.get("Relation Name") == "case" and n["Actual Loops"] > 0 for n in nodes)


def test_a_leads_first_page_filtered_by_area_is_counted_without_joining_the_stages(make_app, clock):
    """From the top of the list every segment counts (the cases at an open stage, then the rest), and
    together they are every case, so the first page's count joins no stage unless a filter asks about one.
    With the area filter and the due-date sort the count joined all 25,000 open stages at 1,000,000 cases:
    26 ms with the join, 20 without it (``EXPLAIN ANALYZE``, one run each)."""
    from core.testing import counted

    app, client = build(make_app, clock)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    query = f"/{WDC}/api/cases?process=escalation&area=learning_community:Vale%20of%20Leven&sort=due&per_page=4"
    with counted(app) as statements:
        first = client.get(query).get_json()
    counts = [s for s in statements if "count(" in s.lower()]
    assert counts and not [s for s in counts if "stage_entry" in s], counts
    assert first["total"] == client.get(query + "&page=2").get_json()["total"]  # OFFSET: counted in full
    assert first["total"] > 4
