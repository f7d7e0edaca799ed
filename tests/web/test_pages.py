"""The pages, driven through HTTP as a practitioner and a manager would."""
import re

from core.testing import london, sign_in

WDC = "westdunbartonshire"
RISK = "If a child is at immediate risk of harm"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def dev_sign_in(client, email, role="practitioner"):
    page = client.get(f"/{WDC}/dev/sign-in").get_data(as_text=True)
    return client.post(f"/{WDC}/dev/sign-in", data={"csrf_token": csrf(page), "email": email, "role": role})


ESCALATION = {
    "agency": "Education Services",
    "learning_community": "Vale of Leven",
    "other_agency": "Social work area team",
    "decision": "Case closed.",
    "disagreement": "New concerns.",
    "tried": "Talked to the worker.",
}


def test_the_council_list_links_to_each_council(client):
    page = client.get("/").get_data(as_text=True)
    assert "West Dunbartonshire Council" in page
    assert f'href="/{WDC}/"' in page


def test_cases_need_sign_in_and_come_back_after_it(client):
    response = client.get(f"/{WDC}/cases/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/{WDC}/sign-in")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Development sign-in" in page


def test_dev_sign_in_page_explains_a_bad_email(client):
    response = dev_sign_in(client, "not an email")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and "Enter an email address in the right format" in page


def test_a_teacher_raises_a_disagreement_checks_answers_and_gets_a_reference(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    dev_sign_in(client, "teacher.demo@wdc.example.org")
    choose = client.get(f"/{WDC}/cases/new").get_data(as_text=True)
    assert "Raise a disagreement with another agency" in choose and RISK in choose

    form = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    assert RISK in form
    token = csrf(form)

    missing = client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": token, **ESCALATION, "decision": ""})
    page = missing.get_data(as_text=True)
    assert "There is a problem" in page
    assert 'href="#decision"' in page and "Enter what was decided" in page
    assert "Social work area team" in page, "answers already given are kept"

    posted = client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": token, **ESCALATION})
    check = client.get(posted.headers["Location"])
    page = check.get_data(as_text=True)
    assert "Check your answers" in page and "Vale of Leven" in page

    done = client.post(f"/{WDC}/cases/new/escalation",
                       data={"csrf_token": token, **ESCALATION, "confirmed": "yes"}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "Your case has been raised" in page and "<strong>WDC-2026-0001</strong>" in page
    assert "with the Head of Establishment" in page
    assert "Wednesday 2 December 2026" in page  # five Scottish working days, St Andrew's Day skipped

    mine = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert "WDC-2026-0001" in mine


def test_the_head_of_establishment_escalates_from_the_case_page_and_the_teacher_sees_it_move(client):
    dev_sign_in(client, "teacher.demo@wdc.example.org")
    token = csrf(client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True))
    client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": token, **ESCALATION, "confirmed": "yes"})

    dev_sign_in(client, "head.establishment@wdc.example.org", "manager")
    page = client.get(f"/{WDC}/cases/WDC-2026-0001").get_data(as_text=True)
    assert "Record what happened at this stage" in page and RISK in page
    token = csrf(page)
    entry = re.search(r'name="entry" value="(\d+)"', page).group(1)
    refused = client.post(f"/{WDC}/cases/WDC-2026-0001", data={"csrf_token": token, "entry": entry, "discussed": "Met."})
    assert "Select what happens next" in refused.get_data(as_text=True)
    client.post(f"/{WDC}/cases/WDC-2026-0001", data={
        "csrf_token": token, "entry": entry, "discussed": "Met both workers.", "agreed": "No agreement.",
        "action": "escalate",
    })

    dev_sign_in(client, "teacher.demo@wdc.example.org")
    page = client.get(f"/{WDC}/cases/WDC-2026-0001").get_data(as_text=True)
    assert "Head of Establishment: Not resolved: escalate to the next stage" in page
    assert "Quality Improvement Officer / Service Manager for Vale of Leven" in page
    assert "Record what happened" not in page, "the teacher cannot act on the case"


def test_a_form_posted_without_its_csrf_token_is_refused_and_nothing_saved(client):
    dev_sign_in(client, "teacher.demo@wdc.example.org")
    response = client.post(f"/{WDC}/cases/new/escalation", data={**ESCALATION, "confirmed": "yes"})
    assert response.status_code == 400
    assert "nothing was saved" in response.get_data(as_text=True)
    assert "WDC-" not in client.get(f"/{WDC}/cases/").get_data(as_text=True)


def test_a_safeguarding_lead_sees_every_case_of_the_council(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION})
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    assert "WDC-2026-0001" in client.get(f"/{WDC}/cases/").get_data(as_text=True)
    sign_in(client, WDC, "other.teacher@wdc.example.org")
    assert "WDC-2026-0001" not in client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert client.get(f"/{WDC}/cases/WDC-2026-0001").status_code == 404


def test_sign_out_ends_the_session(client):
    dev_sign_in(client, "teacher.demo@wdc.example.org")
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    client.post(f"/{WDC}/sign-out", data={"csrf_token": csrf(page)})
    assert client.get(f"/{WDC}/cases/").status_code == 302


def test_an_overdue_case_is_red_on_the_safeguarding_leads_list(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION})
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    assert "govuk-tag--red" not in client.get(f"/{WDC}/cases/").get_data(as_text=True), "not overdue yet"
    clock.set(london(2026, 12, 2, 9, 0))
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")  # a new day, a new session
    assert "Due today" in client.get(f"/{WDC}/cases/").get_data(as_text=True)
    clock.set(london(2026, 12, 3, 9, 0))
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert 'govuk-tag--red">' in page and "Overdue" in page
