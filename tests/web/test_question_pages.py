"""Long forms the GOV.UK way (#25): one question (or a small group) a page, questions not asked
skipped, Back to the page before, and Change on "Check your answers" back to that page."""
import re

import pytest

from core.forms.questions import question_pages
from core.plugin import QuestionPage
from core.runtime import concord
from core.testing import sign_in

WDC = "westdunbartonshire"
GCC = "gloucestershire"


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def answer(client, url, **answers):
    page = client.get(url).get_data(as_text=True)
    number = re.search(r'name="page" value="(\d+)"', page).group(1)
    return client.post(url, data={"csrf_token": csrf(page), "page": number, **answers})


def test_wdc_asks_one_thing_a_page_with_the_learning_community_on_the_service_page(app):
    with app.app_context():
        process = concord().councils[WDC].process("escalation")
    pages = question_pages(process)
    assert pages[0].fields == ("agency", "learning_community", "health_service")
    assert all(len(p.fields) == 1 for p in pages[1:])
    assert sorted(n for p in pages for n in p.fields) == sorted(f.name for f in process.intake)


def test_gloucestershires_formal_dissent_is_grouped_on_a_few_pages(app):
    with app.app_context():
        process = concord().councils[GCC].process("formal-dissent")
    pages = question_pages(process)
    assert len(process.intake) == 18 and 4 <= len(pages) <= 8
    assert max(len(p.fields) for p in pages) <= 5


def test_a_page_at_a_time_skips_what_is_not_asked_and_back_goes_to_the_page_before(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    first = client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)
    assert 'name="agency"' in first and 'name="decision"' not in first, "one thing on the first page"
    empty = answer(client, f"/{WDC}/cases/new/escalation")
    page = empty.get_data(as_text=True)
    assert empty.status_code == 200 and "There is a problem" in page and 'href="#agency"' in page
    assert "<title>Error: " in page and "Enter what was decided" not in page, "only this page's errors"

    went = answer(client, f"/{WDC}/cases/new/escalation", agency="Social Work Services")
    assert went.status_code == 303 and went.headers["Location"] == f"/{WDC}/cases/new/escalation/2"
    second = client.get(went.headers["Location"]).get_data(as_text=True)
    assert 'class="govuk-label govuk-label--l"' in second, "the one question is the page's heading"
    assert f'href="/{WDC}/cases/new/escalation" class="govuk-back-link"' in second or \
        f'class="govuk-back-link" href="/{WDC}/cases/new/escalation"' in second
    url = went.headers["Location"]
    for name, value in (("other_agency", "Area team"), ("decision", "Closed."), ("disagreement", "New concerns."),
                        ("tried", "Phoned"), ("child_reference", "")):
        page = client.get(url).get_data(as_text=True)
        assert f'name="{name}"' in page, (name, url)
        url = answer(client, url, **{name: value}).headers["Location"]
    assert url == f"/{WDC}/cases/new/escalation/check"
    check = client.get(url).get_data(as_text=True)
    assert "Social Work Services" in check and "Closed." in check
    assert "learning community" not in check.lower(), "a question not asked is not shown back"
    assert f'href="/{WDC}/cases/new/escalation/3?change=yes#decision"' in check


def test_change_goes_to_that_page_and_back_to_check_your_answers(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    client.post(f"/{WDC}/cases/new/escalation", data={
        "csrf_token": csrf(client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)),
        "agency": "Social Work Services", "other_agency": "Area team", "decision": "Closed.",
        "disagreement": "New concerns.", "tried": "Phoned"})
    page = client.get(f"/{WDC}/cases/new/escalation/3?change=yes").get_data(as_text=True)
    assert 'value="Closed."' in page or ">Closed.</textarea>" in page
    back = client.post(f"/{WDC}/cases/new/escalation/3", data={
        "csrf_token": csrf(page), "page": "3", "change": "yes", "decision": "Closed in May."})
    assert back.headers["Location"] == f"/{WDC}/cases/new/escalation/check"
    assert "Closed in May." in client.get(back.headers["Location"]).get_data(as_text=True)


def test_changing_the_service_to_education_asks_the_learning_community_before_check(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    client.post(f"/{WDC}/cases/new/escalation", data={
        "csrf_token": csrf(client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True)),
        "agency": "Social Work Services", "other_agency": "Area team", "decision": "Closed.",
        "disagreement": "New concerns.", "tried": "Phoned"})
    page = client.get(f"/{WDC}/cases/new/escalation?change=yes").get_data(as_text=True)
    refused = client.post(f"/{WDC}/cases/new/escalation", data={
        "csrf_token": csrf(page), "page": "1", "change": "yes", "agency": "Education Services"})
    assert refused.status_code == 200 and "Select the child&#39;s learning community" in refused.get_data(as_text=True)


def test_pages_that_name_no_question_are_refused():
    from core.model.procedures import Field, Process
    from core.testing_council import TESTSHIRE

    base = TESTSHIRE.processes[0]
    broken = Process(base.slug, base.title, base.summary, (Field("what", "What happened", "textarea"),),
                     base.ladders, pages=(QuestionPage("Oops", ("nothing",)),))
    with pytest.raises(ValueError, match="names no question"):
        question_pages(broken)


def test_a_long_form_shows_its_sections_as_a_task_list(client):
    sign_in(client, GCC, "worker@gcc.example.org")
    first = client.get(f"/{GCC}/cases/new/formal-dissent").get_data(as_text=True)
    assert f'href="/{GCC}/cases/new/formal-dissent/sections">See all the sections of this form</a>' in first
    answer(client, f"/{GCC}/cases/new/formal-dissent", raising_as="A professional who attended the conference")
    answer(client, f"/{GCC}/cases/new/formal-dissent/4", professional_name="Sam Ash")
    page = client.get(f"/{GCC}/cases/new/formal-dissent/sections").get_data(as_text=True)
    assert 'class="govuk-task-list"' in page
    rows = re.findall(r'govuk-task-list__link[^>]*href="([^"]+)"[^>]*>\s*(.*?)\s*</a>.*?govuk-task-list__status[^>]*>\s*(.*?)\s*</div>',
                      page, re.S)
    status = {title: re.sub(r"<[^>]+>", "", s).strip() for _, title, s in rows}
    assert status["Who are you?"] == "Completed"
    assert status["About you"] == "Incomplete"
    assert status["Your dissent"] == "Not yet started"
    assert "Check your answers</a>" not in page, "not before every section is done"

    href = next(h for h, title, _ in rows if title == "The conference")
    assert href == f"/{GCC}/cases/new/formal-dissent/7?sections=yes"
    assert 'name="sections" value="yes"' in client.get(href).get_data(as_text=True)


def test_after_a_section_from_the_task_list_it_returns_there(client):
    sign_in(client, GCC, "worker@gcc.example.org")
    back = answer(client, f"/{GCC}/cases/new/formal-dissent?sections=yes",
                  raising_as="A professional who attended the conference", sections="yes")
    assert back.headers["Location"] == f"/{GCC}/cases/new/formal-dissent/sections"
