"""The case page, the printable record, the ladder drawn, and the pages every service has."""
import re
from datetime import date

from core.model.records import AuditEvent, db
from core.testing import CLOSING, london, post_action, sign_in

WDC = "westdunbartonshire"
ESCALATION = {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Social work team",
    "decision": "Closed the referral.", "disagreement": "First line.\nSecond line.", "tried": "Spoke to the worker.",
}
DISSENT = {
    "conference_date": "2026-11-20", "chair_name": "Ari Vance", "chair_email": "chair@wdc.example.org",
    "agency": "Health", "decision": "No plan.", "reasons": "Risk remains.",
}


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def raised(client, process="escalation", answers=ESCALATION):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    made = client.post(f"/{WDC}/api/cases", json={"process": process, "answers": answers})
    assert made.status_code == 201, made.get_json()
    return made.get_json()["reference"]


def test_the_case_page_draws_the_ladder_with_you_are_here_and_the_due_date(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    reference = raised(client)
    html = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    svg = re.search(r"<svg class=\"app-ladder\".*?</svg>", html, re.S).group(0)
    assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
    assert "You are here – due Wednesday 2 December 2026" in svg
    assert "Quality Improvement Officer / Service Manager for Vale of Leven" in svg
    assert "<li><strong>Head of Establishment</strong>: with the Head of Establishment, within 5 working days" in html
    assert "style=" not in html, "no inline styles: the CSP forbids them"


def test_the_start_page_draws_each_ladder_of_the_process(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    html = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    assert html.count('<svg class="app-ladder" role="img"') == 3
    assert "for the child&#39;s learning community" in html


def test_the_case_page_shows_overdue_dates_in_words_and_line_breaks(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    dissent = raised(client, "conference-dissent", {**DISSENT, "conference_date": "2026-11-20"})
    reference = raised(client)
    clock.set(london(2026, 12, 3, 9, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    html = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    assert 'govuk-tag--red">\n  Overdue' in html or re.search(r'govuk-tag--red">\s*Overdue', html)
    assert '<span class="app-lines">First line.\nSecond line.</span>' in html
    other = client.get(f"/{WDC}/cases/{dissent}").get_data(as_text=True)
    assert "Friday 20 November 2026" in other and "2026-11-20" not in other


def test_a_closed_case_shows_its_outcome_and_date(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    reference = raised(client)
    clock.set(london(2026, 11, 26, 15, 0))
    sign_in(client, WDC, "head.establishment@wdc.example.org", "manager")
    done = post_action(client, f"/{WDC}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"discussed": "We met.", "agreed": "Reopened.", **CLOSING}})
    assert done.status_code == 200
    html = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    assert re.search(r"Outcome</dt><dd class=\"govuk-summary-list__value\">Resolved</dd>", html)
    assert "Thursday 26 November 2026" in html


def test_a_lead_prints_the_case_record_and_it_is_audited(app, client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    reference = raised(client)
    sign_in(client, WDC, "head.establishment@wdc.example.org", "manager")
    post_action(client, f"/{WDC}/api/cases/{reference}/actions",
                {"action": "escalate", "record": {"discussed": "We met.", "agreed": "Not resolved."}})
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    response = client.get(f"/{WDC}/cases/{reference}/record")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"<title>{reference}: the whole record – West Dunbartonshire Council</title>" in html
    assert "Head of Establishment for" not in html
    assert "Head of Establishment:\n" in html and "Morgan Lark" in html, "who held the stage that is done"
    assert "Avery Wren" in html, "who holds the stage now"
    assert "Not resolved: escalate to the next stage" in html
    assert "We met." in html and "Timeline" in html
    assert "/assets/concord/concord.css" in html and "style=" not in html
    css = client.get("/assets/concord/concord.css").get_data(as_text=True)
    assert "@page { size: A4" in css and "@media print" in css
    with app.app_context():
        actions = db.session.scalars(db.select(AuditEvent.action)).all()
    assert "export" in actions
    sign_in(client, WDC, "other.teacher@wdc.example.org")
    assert client.get(f"/{WDC}/cases/{reference}/record").status_code == 404


def test_site_pages_are_linked_from_every_page_footer(client):
    for path in ("/", f"/{WDC}/", f"/{WDC}/sign-in"):
        html = client.get(path).get_data(as_text=True)
        footer = html[html.index('<footer class="govuk-footer'):]
        for page in ("accessibility", "privacy", "cookies", "help"):
            assert f'href="{"/" + WDC if path != "/" else ""}/{page}"' in footer, (path, page)
    privacy = client.get(f"/{WDC}/privacy").get_data(as_text=True)
    assert "keeps a case, its timeline and its audit log for 25 years after the case closes" in privacy
    assert "safeguarding leads, who see every case" in privacy
    for page in ("accessibility", "cookies", "help"):
        assert client.get(f"/{WDC}/{page}").status_code == 200
        assert client.get(f"/{page}").status_code == 200


def test_signed_in_block_is_in_the_header_and_sign_out_says_so(client):
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    html = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    header = html[html.index("<header"):html.index("</header>")]
    assert "Signed in as" in header and "Safeguarding lead" in header and "safeguarding-lead" not in header
    assert '<h1 class="govuk-heading-l">Cases</h1>' in html and re.search(r">\s*Cases\s*</a>", header)
    left = client.post(f"/{WDC}/sign-out", data={"csrf_token": csrf(html)}, follow_redirects=True)
    assert "You have signed out" in left.get_data(as_text=True)


def test_optional_questions_say_so_and_check_answers_has_change_links(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    pages = [client.get(f"/{WDC}/cases/new/conference-dissent" + (f"/{n}" if n > 1 else "")) for n in range(1, 15)]
    form = "".join(p.get_data(as_text=True) for p in pages if p.status_code == 200)
    assert "The child&#39;s record number (not their name) (optional)" in form
    example = re.search(r"For example, (\d+) (\d+) (\d{4})", form)
    assert date(int(example[3]), int(example[2]), int(example[1])) < date.today(), "a past event has a past example"
    data = {"csrf_token": csrf(form), "conference_date": ["20", "11", "2026"], "chair_name": "Ari Vance",
            "chair_email": "chair@wdc.example.org", "agency": "Health", "decision": "No plan.",
            "reasons": "Risk remains."}
    posted = client.post(f"/{WDC}/cases/new/conference-dissent", data=data)
    check = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "Friday 20 November 2026" in check
    assert check.count(">Change<span class=\"govuk-visually-hidden\">") == 7
    assert re.search(rf'href="/{WDC}/cases/new/conference-dissent/\d+\?change=yes#chair_name"', check)
