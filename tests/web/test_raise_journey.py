"""Raising a case the GOV.UK way (#25): check-your-answers is a page of its own
(post/redirect/get, so Back never resubmits) and the raiser lands on a
confirmation panel with the reference and what happens next."""
import re

from core.testing import london, sign_in

WDC = "westdunbartonshire"
ESCALATION = {
    "agency": "Education Services",
    "learning_community": "Vale of Leven",
    "other_agency": "Social work area team",
    "decision": "Case closed.",
    "disagreement": "New concerns.",
    "tried": "Talked to the worker.",
}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def answered(client):
    page = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    return client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": csrf(page), **ESCALATION})


def test_valid_answers_redirect_to_a_check_your_answers_page_that_can_be_reloaded(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    posted = answered(client)
    assert posted.status_code == 303
    assert posted.headers["Location"] == f"/{WDC}/cases/new/escalation/check"
    check = client.get(posted.headers["Location"])
    page = check.get_data(as_text=True)
    assert check.status_code == 200 and "Check your answers" in page
    assert "Vale of Leven" in page and "Talked to the worker." in page
    assert client.get(posted.headers["Location"]).status_code == 200, "a reload is a GET: nothing to resubmit"
    assert f'href="/{WDC}/cases/new/escalation/3?change=yes#decision"' in page, "to the page that asks it"


def test_change_opens_the_form_with_the_answers_kept(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    answered(client)
    first = client.get(f"/{WDC}/cases/new/escalation?change=yes").get_data(as_text=True)
    assert 'value="Education Services" checked' in first and 'value="Vale of Leven" checked' in first
    form = client.get(f"/{WDC}/cases/new/escalation/2?change=yes").get_data(as_text=True)
    assert 'value="Social work area team"' in form


def test_raise_it_shows_a_confirmation_panel_and_back_does_not_raise_again(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    answered(client)
    check = client.get(f"/{WDC}/cases/new/escalation/check").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check))
    assert "raise_token" in fields
    done = client.post(f"/{WDC}/cases/new/escalation/check", data={**fields, "confirmed": "yes"})
    assert done.status_code == 303
    assert done.headers["Location"] == f"/{WDC}/cases/WDC-2026-0001/raised"
    panel = client.get(done.headers["Location"]).get_data(as_text=True)
    assert 'class="govuk-panel govuk-panel--confirmation"' in panel
    assert "Your case has been raised" in panel and "<strong>WDC-2026-0001</strong>" in panel
    assert "What happens next" in panel
    assert "Head of Establishment" in panel and "Wednesday 2 December 2026" in panel
    assert f'href="/{WDC}/cases/WDC-2026-0001"' in panel

    back = client.get(f"/{WDC}/cases/new/escalation/check")
    assert back.status_code == 303, "nothing left to check: Back goes to the form, nothing is raised"
    form = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "You raised WDC-2026-0001" in form
    again = client.post(f"/{WDC}/cases/new/escalation/check", data={**fields, "confirmed": "yes"})
    assert again.headers["Location"].endswith("/cases/WDC-2026-0001/raised"), "a replay finds the same case"
    mine = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert "WDC-2026-0002" not in mine


def test_the_confirmation_page_is_only_for_the_person_who_raised_it(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    answered(client)
    check = client.get(f"/{WDC}/cases/new/escalation/check").get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check))
    client.post(f"/{WDC}/cases/new/escalation/check", data={**fields, "confirmed": "yes"})
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    response = client.get(f"/{WDC}/cases/WDC-2026-0001/raised")
    assert response.status_code == 302 and response.headers["Location"].endswith("/cases/WDC-2026-0001")


def test_check_with_nothing_answered_goes_to_the_form(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    response = client.get(f"/{WDC}/cases/new/escalation/check")
    assert response.status_code == 303 and response.headers["Location"] == f"/{WDC}/cases/new/escalation"
