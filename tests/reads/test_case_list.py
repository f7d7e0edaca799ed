"""The safeguarding lead's list at council scale: pages, filters, search, sort, export, API."""
import csv
import io
import re
from datetime import date

from sqlalchemy import event

from core.model.records import AuditEvent, db
from core.testing import london, sign_in

WDC = "westdunbartonshire"
DG = "dumfriesgalloway"
LEAD = "lead@wdc.example.org"
ESCALATION = {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Social work team",
    "decision": "Closed the referral.", "disagreement": "New concerns.", "tried": "Spoke to the worker.",
}
DISSENT = {
    "conference_date": "2026-09-30", "chair_name": "Ari Vance", "chair_email": "chair@wdc.example.org",
    "agency": "Health", "decision": "No plan.", "reasons": "Risk remains.",
}


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def raise_cases(client, clock, n, process="escalation", at=london(2026, 11, 24, 9, 0), **answers):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    body = {**(ESCALATION if process == "escalation" else DISSENT), **answers}
    references = []
    for _ in range(n):
        clock.set(at)
        made = client.post(f"/{WDC}/api/cases", json={"process": process, "answers": body})
        assert made.status_code == 201, made.get_json()
        references.append(made.get_json()["reference"])
    clock.set(london(2026, 11, 24, 10, 0))
    return references


def test_a_lead_pages_through_205_cases_and_none_vanish(make_app, clock):
    client = make_app(RATE_LIMIT_API_WRITE="1000/minute").test_client()  # one raiser, 205 cases in a minute
    references = raise_cases(client, clock, 205)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    seen = []
    for page in range(1, 10):
        got = client.get(f"/{WDC}/api/cases?page={page}&per_page=25").get_json()
        seen += [c["reference"] for c in got["cases"]]
        if page == got["pages"]:
            break
    assert got["total"] == 205 and got["pages"] == 9
    assert sorted(seen) == sorted(references), "every case is reachable, the oldest too"
    html = client.get(f"/{WDC}/cases/?page=9").get_data(as_text=True)
    assert "<title>Cases (page 9 of 9) – West Dunbartonshire Council</title>" in html
    assert "Showing 201 to 205 of 205 cases" in html
    assert references[0] in html, "the oldest case is on the last page"
    assert 'class="govuk-pagination' in html


def test_a_lead_filters_overdue_conference_dissents_and_searches_by_reference(client, clock):
    old = raise_cases(client, clock, 3, "conference-dissent", at=london(2026, 10, 1, 9, 0))
    raise_cases(client, clock, 2, "escalation", at=london(2026, 10, 1, 9, 0))
    raise_cases(client, clock, 2, "conference-dissent", conference_date="2026-11-24")
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    got = client.get(f"/{WDC}/api/cases?status=overdue&process=conference-dissent").get_json()
    assert sorted(c["reference"] for c in got["cases"]) == sorted(old)
    assert got["total"] == 3
    first = got["cases"][0]
    assert first["stage_title"] == "Acknowledgement by the Head of Service"
    assert first["assignees"] == ["Drew Kestrel"]
    assert "overdue" in first["tags"]

    page = client.get(f"/{WDC}/cases/?status=overdue&process=conference-dissent").get_data(as_text=True)
    assert "Showing 1 to 3 of 3 cases" in page
    found = client.post(f"/{WDC}/cases/", data={"csrf_token": csrf(page), "q": old[1].lower()},
                        follow_redirects=True)
    html = found.get_data(as_text=True)
    assert "Showing 1 to 1 of 1 case" in html and old[1] in html
    assert old[1].lower() not in found.request.url, "the search term stays out of the address"


def test_a_child_record_number_finds_the_case_without_entering_the_address(client, clock):
    [mine] = raise_cases(client, clock, 1, child_reference="CHI-7731")
    raise_cases(client, clock, 2)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    found = client.post(f"/{WDC}/cases/", data={"csrf_token": csrf(page), "q": "chi-7731"}, follow_redirects=True)
    html = found.get_data(as_text=True)
    assert "Showing 1 to 1 of 1 case" in html and mine in html
    assert "chi-7731" not in found.request.url.lower()


def test_the_api_searches_for_a_child_record_number_in_the_body_and_refuses_it_in_the_address(client, clock):
    [mine] = raise_cases(client, clock, 1, child_reference="CHI-7731")
    raise_cases(client, clock, 2)
    sign_in(client, WDC, LEAD, "safeguarding-lead")

    in_the_address = client.get(f"/{WDC}/api/cases?q=chi-7731")
    assert in_the_address.status_code == 400
    assert "must not be in a URL" in in_the_address.get_json()["errors"]["q"][0]

    found = client.post(f"/{WDC}/api/cases/search", json={"q": "chi-7731", "status": "open", "per_page": 10})
    assert found.status_code == 200
    assert [c["reference"] for c in found.get_json()["cases"]] == [mine]
    assert found.get_json()["per_page"] == 10

    bad = client.post(f"/{WDC}/api/cases/search", json={"q": ["chi-7731"], "status": "lost", "page": True})
    assert bad.status_code == 400
    assert set(bad.get_json()["errors"]) == {"q", "page"}
    assert client.post(f"/{WDC}/api/cases/search", data="q=chi-7731").status_code == 400


def test_bad_list_arguments_are_explained_in_the_api(client, clock):
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    bad = client.get(f"/{WDC}/api/cases?status=lost&process=nope&per_page=1000")
    assert bad.status_code == 400
    errors = bad.get_json()["errors"]
    assert set(errors) == {"status", "process", "per_page"}


def test_sort_by_due_date_and_waiting_for_me_first(client, clock):
    late = raise_cases(client, clock, 1, at=london(2026, 10, 1, 9, 0))
    soon = raise_cases(client, clock, 1)
    dissent = raise_cases(client, clock, 1, "conference-dissent", conference_date="2026-11-24")
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    by_due = [c["reference"] for c in client.get(f"/{WDC}/api/cases?sort=due").get_json()["cases"]]
    assert by_due[0] == late[0]
    sign_in(client, WDC, "head.establishment@wdc.example.org", "manager")
    mine = client.get(f"/{WDC}/api/cases").get_json()["cases"]
    assert [c["reference"] for c in mine] == [soon[0], late[0]], "only cases at my rung, newest first"
    assert all("waiting-for-me" in c["tags"] for c in mine)
    html = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-l\">Your cases</h1>" in html
    assert "2 cases waiting for you" in html
    assert dissent[0] not in html


def test_the_csv_export_is_filtered_audited_and_safe_from_formulas(app, client, clock):
    refs = raise_cases(client, clock, 2, other_agency="=HYPERLINK(\"http://evil.invalid\")",
                       child_reference="-CHI 1", at=london(2026, 10, 1, 9, 0))
    raise_cases(client, clock, 1)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    plain = client.get(f"/{WDC}/cases/export.csv?status=overdue")
    assert plain.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(plain.get_data(as_text=True))))
    assert rows[0][:5] == ["Reference", "Process", "Route", "Stage", "With"]
    assert sorted(r[0] for r in rows[1:]) == sorted(refs)
    assert "HYPERLINK" not in plain.get_data(as_text=True), "no free text unless asked for"
    assert "CHI 1" not in plain.get_data(as_text=True)

    full = client.get(f"/{WDC}/cases/export.csv?status=overdue&free_text=yes").get_data(as_text=True)
    cells = [c for r in csv.reader(io.StringIO(full)) for c in r]
    assert "'=HYPERLINK(\"http://evil.invalid\")" in cells and "'-CHI 1" in cells
    assert not any(c[:1] in ("=", "+", "-", "@", "\t", "\r") for c in cells)
    with app.app_context():
        exported = db.session.scalars(db.select(AuditEvent.case_id).where(AuditEvent.action == "export")).all()
    assert len(exported) == 4, "one audit row per exported case, each time"

    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    mine = client.get(f"/{WDC}/cases/export.csv?free_text=yes").get_data(as_text=True)
    assert "HYPERLINK" not in mine, "only a lead may take the free text out"


def _statements(app, client, path):
    count = []

    def seen(*_):
        count.append(1)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return len(count)


def test_one_list_page_costs_the_same_few_statements_for_30_or_60_cases(make_app, clock):
    """Two full pages or more (a page that is not full needs no count of the cases after it)."""
    app = make_app(RATE_LIMIT_API_WRITE="1000/minute")
    client = app.test_client()
    raise_cases(client, clock, 30)
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    few = _statements(app, client, f"/{WDC}/cases/")
    raise_cases(client, clock, 30, "conference-dissent")
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    many = _statements(app, client, f"/{WDC}/cases/")
    assert few == many
    assert many <= 9  # 8, and one for the person's saved drafts (listed above their cases)


GLOUCESTERSHIRE_DISSENT = {
    "raising_as": "A professional who attended the conference", "attended": "yes",
    "chair_name": "Reviewing Officer (demo)", "chair_email": "reviewing.officer@gcc.example.org",
    "line_manager_name": "Robin Ashdown", "line_manager_email": "line.manager@gcc.example.org",
    "agency": "Community health", "professional_role": "Health visitor",
    "decision": "No plan.", "rationale": "Risk not weighed.",
}


def test_a_lead_filters_the_cases_that_arrived_late(client, clock):
    """A dissent raised after its conference day: its first stage (the same working day) arrived late."""
    gcc, raised = "gloucestershire", []
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, gcc, "health.visitor@gcc.example.org")
    for day in ("2026-11-20", "2026-11-24"):
        made = client.post(f"/{gcc}/api/cases", json={"process": "conference-dissent",
                                                      "answers": {**GLOUCESTERSHIRE_DISSENT, "conference_date": day}})
        assert made.status_code == 201, made.get_json()
        raised.append(made.get_json()["reference"])
    sign_in(client, gcc, "lead@gcc.example.org", "safeguarding-lead")
    got = client.get(f"/{gcc}/api/cases?status=late").get_json()
    assert [c["reference"] for c in got["cases"]] == raised[:1]
    assert "late-on-arrival" in got["cases"][0]["tags"]
    html = client.get(f"/{gcc}/cases/?status=late").get_data(as_text=True)
    assert "Showing 1 to 1 of 1 case" in html and "Late on arrival</strong>" in html


def test_every_answer_in_the_csv_sits_under_its_own_process_question(client, clock):
    """Escalations and conference dissents share field names ("agency", "decision") with different
    questions: each answer goes under its own question's heading, never under the other process's."""
    raise_cases(client, clock, 2)
    raise_cases(client, clock, 2, "conference-dissent")
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/{WDC}/cases/export.csv?free_text=yes").get_data(as_text=True))))
    assert len(rows) == 4
    for row in rows:
        dissent = row["Process"].startswith("Record a dissent")
        asked = {
            "Which service's escalation route are you following?": None if dissent else ESCALATION["agency"],
            "What was decided": None if dissent else ESCALATION["decision"],
            "Your agency or service": DISSENT["agency"] if dissent else None,
            "The conference decision you disagree with": DISSENT["decision"] if dissent else None,
        }
        for question, answer in asked.items():
            assert row[question] == (answer or ""), (row["Process"], question)


def test_every_list_and_search_of_cases_is_in_the_audit_trail_with_what_was_searched(app, client, clock):
    """The data protection officer can find who looked for a child's record number, by page or API."""
    raise_cases(client, clock, 2, child_reference="CHI-4471")
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    assert client.get(f"/{WDC}/api/cases?status=open").status_code == 200
    assert client.post(f"/{WDC}/api/cases/search", json={"q": "CHI-4471"}).status_code == 200
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    client.post(f"/{WDC}/cases/", data={"csrf_token": csrf(page), "q": "CHI-4471"})
    client.get(f"/{WDC}/cases/")
    with app.app_context():
        details = db.session.scalars(db.select(AuditEvent.detail).where(AuditEvent.action == "list")
                                     .order_by(AuditEvent.id)).all()
    assert details == ["case list (API), page 1 (status open)", "case search (API), page 1; searched for 'CHI-4471'",
                       "case list, page 1", "case list, page 1; searched for 'CHI-4471'"]


def raise_in_locality(app, client, locality: str) -> str:
    """A Dumfries and Galloway social work case in ``locality`` (one of its areas), raised through the API."""
    from core.reads.dry_run import example_answers
    from core.runtime import concord

    process = next(p for p in concord(app).councils[DG].processes if any(f.name == "locality" for f in p.intake))
    with app.app_context():
        answers = {**example_answers(process, date(2026, 11, 24)), "agency": "Social Work", "locality": locality}
    sign_in(client, DG, "practitioner@dg.example.org")
    made = client.post(f"/{DG}/api/cases", json={"process": process.slug, "answers": answers})
    assert made.status_code == 201, made.get_json()
    return made.get_json()["reference"]


def test_a_lead_filters_by_learning_community_and_sees_that_communitys_cases_only(app, client, clock):
    vale = raise_cases(client, clock, 3, learning_community="Vale of Leven")
    clydebank = raise_cases(client, clock, 2, learning_community="Clydebank High")
    raise_cases(client, clock, 1, process="conference-dissent")
    nithsdale = [raise_in_locality(app, client, "Nithsdale") for _ in range(2)]
    stewartry = raise_in_locality(app, client, "Stewartry")
    from core.model.records import Case

    with app.app_context():  # another council's case holding the very same area text is still its own
        db.session.scalars(db.select(Case).where(Case.reference == stewartry)).one().areas = \
            "\x1flearning_community=Vale of Leven\x1f"
        db.session.commit()

    sign_in(client, DG, "lead@dg.example.org", "safeguarding-lead")
    got = client.get(f"/{DG}/api/cases?area=locality:Nithsdale&per_page=50").get_json()
    assert sorted(c["reference"] for c in got["cases"]) == sorted(nithsdale) and got["total"] == 2
    sign_in(client, WDC, LEAD, "safeguarding-lead")

    def found(query):
        got = client.get(f"/{WDC}/api/cases?{query}&per_page=50").get_json()
        return sorted(c["reference"] for c in got["cases"]), got["total"]

    assert found("area=learning_community:Vale%20of%20Leven") == (sorted(vale), 3)
    assert found("area=learning_community:Clydebank%20High&process=escalation&sort=due") == (sorted(clydebank), 2)
    assert found("area=learning_community:Dumbarton%20Academy") == ([], 0)
    page = client.get(f"/{WDC}/cases/?area=learning_community:Clydebank%20High").get_data(as_text=True)
    assert "Showing 1 to 2 of 2 cases" in page and clydebank[0] in page and vale[0] not in page

    from core.engine.retention import erase
    from core.runtime import now

    with app.app_context():  # erased under retention: its answers are gone, its area with them
        erase(db.session.scalars(db.select(Case).where(Case.reference == vale[0])).one(), now())
        db.session.commit()
    assert found("area=learning_community:Vale%20of%20Leven") == (sorted(vale[1:]), 2)
