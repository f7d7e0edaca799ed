"""PostgreSQL plans Concord's pages as pages: index probes priced for solid-state storage, no parallel
workers (core/model/postgres.py), and the route's columns known to depend on each other (migration
scale4_list_plans).

With PostgreSQL's defaults, the case list filtered by a stage hashed every case of its route at 1,000,000
cases (60 ms a page) instead of probing the few at that stage, and started worker processes for counts
that cost less than starting them (bench/case_list_scale.py, ``P95MS case-list-1m-filtered``). The
settings must hold on every connection the pool opens, and leave no transaction open behind them.
"""
from contextlib import contextmanager

import pytest
from sqlalchemy import event, text

from core.model.records import db
from core.testing import sign_in

SETTINGS = text("SELECT current_setting('random_page_cost') || ' ' || current_setting('max_parallel_workers_per_gather')")


def test_on_postgresql_every_connection_prices_a_random_read_for_solid_state_storage_and_starts_no_workers(make_app):
    app = make_app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL setting")
        seen = []
        for _ in range(2):
            with db.engine.connect() as conn:
                seen.append(conn.connection.dbapi_connection.info.transaction_status.name)
                seen.append(conn.scalar(SETTINGS))
            db.engine.dispose()  # the next connection is a new one
        with db.engine.connect() as first, db.engine.connect() as second:  # two at once: each its own
            seen += [first.scalar(SETTINGS), second.scalar(SETTINGS)]
    assert seen == ["IDLE", "1.1 0", "IDLE", "1.1 0", "1.1 0", "1.1 0"]


def test_on_postgresql_the_planner_knows_a_route_names_its_process(make_app):
    """A case's ladder decides its process. Taken as independent, the escalation process (40 of 60 cases)
    and the Education route (30 of 60) were estimated at 60 × 40/60 × 30/60 = 20 cases; at 1,000,000 cases
    that tenth-of-the-truth estimate made the stage filter's count hash a whole route. The migration's
    dependency statistics (``st_case_route``) give the true 30 once the table is analysed."""
    app = make_app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL plan")
        routes = [("escalation", "education")] * 30 + [("escalation", "social-work")] * 10 \
            + [("conference-dissent", "conference-dissent")] * 20
        user = db.session.scalar(text(
            "INSERT INTO \"user\" (council, issuer, subject, email, name, session_generation) VALUES "
            "('westdunbartonshire', 'dev', 'planner', 'planner@wdc.example.org', 'Pat Planner', 0) RETURNING id"))
        db.session.execute(text(
            "INSERT INTO \"case\" (council, reference, process, ladder, plugin_version, answers, status, raised_by_id, "
            "raised_at) VALUES ('westdunbartonshire', :reference, :process, :ladder, '1', '{}', 'open', :user, now())"),
            [{"reference": f"WDC-PLAN-{n}", "process": p, "ladder": ladder, "user": user}
             for n, (p, ladder) in enumerate(routes)])
        db.session.commit()
        with db.engine.connect() as conn:
            conn.execute(text('ANALYZE "case"'))
            plan = conn.scalar(text(
                "EXPLAIN (FORMAT JSON) SELECT 1 FROM \"case\" WHERE council = 'westdunbartonshire' "
                "AND process = 'escalation' AND ladder = 'education'"))
    assert round(plan[0]["Plan"]["Plan Rows"]) == 30


COMMUNITIES = ["Vale of Leven", "Clydebank High", "Dumbarton Academy", "Our Lady and St Patricks"]


def lead_among_5000_cases(make_app):
    """An app on PostgreSQL (else the test is skipped) holding 5,000 closed cases of West Dunbartonshire,
    vacuumed and analysed, and a client signed in as its safeguarding lead. Case n is WDC-2026-<n, five
    digits>, with the child's record number CHI-<n> and the learning community COMMUNITIES[n % 4]."""
    app = on_postgresql(make_app)
    with app.app_context():
        user = db.session.scalar(RAISER)
        db.session.execute(text(
            "INSERT INTO \"case\" (council, reference, process, ladder, plugin_version, answers, areas, status, "
            "raised_by_id, raised_at) SELECT 'westdunbartonshire', 'WDC-2026-' || lpad(n::text, 5, '0'), 'escalation', "
            "'education', '1', jsonb_build_object('child_reference', 'CHI-' || n, 'learning_community', c, "
            "'decision', repeat('A decision. ', 40)), chr(31) || 'learning_community=' || c || chr(31), 'closed', "
            ":user, now() - n * interval '1 hour' FROM generate_series(1, 5000) AS n, "
            "LATERAL (SELECT (CAST(:communities AS text[]))[n % 4 + 1] AS c) AS area"),
            {"user": user, "communities": COMMUNITIES})
        db.session.commit()
    analysed(app, '"case"')
    client = app.test_client()
    sign_in(client, "westdunbartonshire", "lead@wdc.example.org", "safeguarding-lead")
    return app, client


def on_postgresql(make_app):
    """An app on the test database if that is PostgreSQL; else the test is skipped."""
    app = make_app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("a PostgreSQL plan")
    return app


RAISER = text("INSERT INTO \"user\" (council, issuer, subject, email, name, session_generation) VALUES "
              "('westdunbartonshire', 'dev', 'raiser', 'raiser@wdc.example.org', 'Rae Raiser', 0) RETURNING id")


def analysed(app, tables: str) -> None:
    """VACUUM ANALYZE the tables: index-only scans need their pages marked all-visible."""
    with app.app_context(), db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"VACUUM ANALYZE {tables}"))


def test_on_postgresql_a_search_reads_the_cases_it_finds_not_every_case_of_the_council(make_app):
    """The search finds a case by any part of its reference, or by the child's record number exactly. With
    no index to serve either, each search read every case of the council, answers and all: 1.1 s at
    1,000,000 cases for one case found (migration scale6_case_search). Among 5,000 cases each statement of
    a search is planned on the index for what it compares."""
    app, client = lead_among_5000_cases(make_app)
    used = {}
    for words, found in (("chi-4242", ["WDC-2026-04242"]), ("2026-0424", [f"WDC-2026-0424{n}" for n in range(10)])):
        with planned(app) as used[words]:
            page = client.post("/westdunbartonshire/api/cases/search", json={"q": words, "sort": "reference"})
        assert sorted(c["reference"] for c in page.get_json()["cases"]) == found
    assert "Bitmap Index Scan ix_case_child_reference" in used["chi-4242"] and "Seq Scan case" not in used["chi-4242"]
    assert "Bitmap Index Scan ix_case_reference_trgm" in used["2026-0424"] and "Seq Scan case" not in used["2026-0424"]


def test_on_postgresql_a_lead_filtering_by_area_is_counted_from_the_councils_index_alone(make_app):
    """The area filter compared an answer of each case, so its count read up to 80,000 cases, answers and
    all, at 1,000,000 cases (46 ms). ``case.areas`` is carried by ``ix_case_council_raised``: among 5,000
    cases the page and its count read that index and no table of cases."""
    app, client = lead_among_5000_cases(make_app)
    with planned(app) as reads:
        page = client.get("/westdunbartonshire/api/cases?area=learning_community:Vale%20of%20Leven&per_page=25")
    assert page.get_json()["total"] == 1250
    assert "Index Only Scan ix_case_council_raised" in reads
    assert not {read for read in reads if read.endswith(" case") or "case_pkey" in read}, reads


def test_on_postgresql_a_rung_holders_page_probes_each_stage_for_an_offer_to_them(make_app):
    """Someone holding a rung is offered thousands of cases (at 1,000,000 cases the head of establishment
    was offered 200,000). The page's statements and the count of what waits for them look each stage up in
    the offers' (entry, contact) index, and never read every offer made to them into a hash: that hash cost
    113 ms for a page of 25 at 1,000,000 cases, the probes 1.4 ms."""
    app = on_postgresql(make_app)
    client = app.test_client()
    sign_in(client, "westdunbartonshire", "head.establishment@wdc.example.org", "manager")  # binds their contact
    with app.app_context():
        user = db.session.scalar(RAISER)
        db.session.execute(text(
            "WITH k AS (INSERT INTO \"case\" (council, reference, process, ladder, plugin_version, answers, status, "
            "raised_by_id, raised_at) SELECT 'westdunbartonshire', 'WDC-2026-' || lpad(n::text, 5, '0'), 'escalation', "
            "'education', '1', '{}', 'open', :user, now() - n * interval '1 hour' FROM generate_series(1, 4000) AS n "
            "RETURNING id), "
            "s AS (INSERT INTO stage_entry (case_id, position, stage, role, entered_at, due_on) SELECT k.id, 0, "
            "'head-of-establishment', 'head-of-establishment', now(), current_date + 5 FROM k RETURNING id, case_id) "
            "INSERT INTO stage_offer (stage_entry_id, contact_id, case_id) SELECT s.id, contact.id, s.case_id FROM s, "
            "contact WHERE contact.council = 'westdunbartonshire' AND contact.email = 'head.establishment@wdc.example.org'"),
            {"user": user})
        db.session.commit()
    analysed(app, '"case", stage_entry, stage_offer')
    with planned(app, only=lambda statement: "AS waiting" in statement or "status =" in statement) as reads:
        page = client.get("/westdunbartonshire/cases/").get_data(as_text=True)
    assert "4000 cases waiting for you" in page and page.count(">Waiting for you</strong>") == 25
    assert "Index Only Scan stage_offer_stage_entry_id_contact_id_key" in reads, reads
    assert "Index Only Scan ix_stage_offer_contact_case_entry" not in reads, reads


@contextmanager
def planned(app, only=lambda statement: True):
    """What PostgreSQL plans to read for the SELECTs the app sends inside the block (those ``only`` keeps): a
    set of "<how> <what>" (see ``_nodes``), filled in when the block ends."""
    sent: list[tuple[str, dict]] = []
    keep = lambda conn, cursor, statement, parameters, context, many: sent.append((statement, parameters))  # noqa: E731
    with app.app_context():
        engine = db.engine
    reads: set[str] = set()
    event.listen(engine, "before_cursor_execute", keep)
    try:
        yield reads
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    with app.app_context(), db.engine.connect() as conn:
        for statement, parameters in sent:
            if statement.lstrip().startswith("SELECT") and only(statement):
                plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters).scalar()
                reads.update(_nodes(plan[0]["Plan"]))
    assert reads, "the block sent a SELECT"


def _nodes(plan: dict):
    """Each table or index a plan reads, as "<how> <what>": "Seq Scan case", "Index Only Scan ix_…"."""
    if plan["Node Type"].endswith("Scan") and ("Index Name" in plan or "Relation Name" in plan):
        yield f"{plan['Node Type']} {plan.get('Index Name') or plan['Relation Name']}"
    for child in plan.get("Plans", ()):
        yield from _nodes(child)
