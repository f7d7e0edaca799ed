"""Save and come back later (#25): a draft per person per process, on the server, listed under
"Your cases" with its expiry, continued where it was left, deleted when raised or by its owner."""
import re
from datetime import timedelta

from sqlalchemy import func, select

from core.engine.drafts import DRAFT_DAYS, Draft
from core.model.records import db
from core.testing import london, sign_in

WDC = "westdunbartonshire"
TEACHER = "teacher.demo@wdc.example.org"


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def post_page(client, url, **answers):
    page = client.get(url).get_data(as_text=True)
    number = re.search(r'name="page" value="(\d+)"', page).group(1)
    return client.post(url, data={"csrf_token": csrf(page), "page": number, **answers})


def drafts_in(app):
    with app.app_context():
        return db.session.scalar(select(func.count(Draft.id)))


def save_two_answers(client):
    post_page(client, f"/{WDC}/cases/new/escalation", agency="Social Work Services")
    return post_page(client, f"/{WDC}/cases/new/escalation/2", other_agency="Area team", save="yes")


def test_save_and_come_back_later_keeps_the_answers_on_the_server_and_lists_them(app, client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, TEACHER)
    saved = save_two_answers(client)
    assert saved.status_code == 303 and saved.headers["Location"] == f"/{WDC}/cases/"
    assert drafts_in(app) == 1
    mine = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    listed = mine[mine.index('data-testid="drafts"'):]
    assert "Raise a disagreement with another agency" in listed
    assert f"Kept until {(london(2026, 11, 24) + timedelta(days=DRAFT_DAYS)):%-d %B %Y}, then deleted" in listed
    assert "are saved until 8 December 2026" in mine
    assert "Area team" not in mine and "Area+team" not in saved.headers["Location"], "no answer in the list or URL"

    sign_in(client, WDC, TEACHER)  # a new session: only the server has the answers
    resumed = client.get(f"/{WDC}/cases/new/escalation/draft")
    assert resumed.headers["Location"] == f"/{WDC}/cases/new/escalation/3", "the first question still to answer"
    assert 'value="Area team"' in client.get(f"/{WDC}/cases/new/escalation/2").get_data(as_text=True)


def test_a_draft_is_deleted_when_the_case_is_raised(app, client):
    sign_in(client, WDC, TEACHER)
    save_two_answers(client)
    client.get(f"/{WDC}/cases/new/escalation/draft")
    url = f"/{WDC}/cases/new/escalation/3"
    for name, value in (("decision", "Closed."), ("disagreement", "New."), ("tried", "Phoned"), ("child_reference", "")):
        url = post_page(client, url, **{name: value}).headers["Location"]
    check = client.get(url).get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check))
    client.post(url, data={**fields, "confirmed": "yes"})
    assert drafts_in(app) == 0
    assert 'data-testid="drafts"' not in client.get(f"/{WDC}/cases/").get_data(as_text=True)


def test_drafts_are_each_persons_own_and_can_be_deleted(app, client):
    sign_in(client, WDC, TEACHER)
    save_two_answers(client)
    sign_in(client, WDC, "other.teacher@wdc.example.org")
    assert 'data-testid="drafts"' not in client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert client.get(f"/{WDC}/cases/new/escalation/draft").headers["Location"] == f"/{WDC}/cases/"

    sign_in(client, WDC, TEACHER)
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    client.post(f"/{WDC}/cases/new/escalation/draft/delete", data={"csrf_token": csrf(page)})
    assert drafts_in(app) == 0


def test_an_expired_draft_is_gone(app, client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, TEACHER)
    save_two_answers(client)
    clock.set(london(2026, 11, 24, 10, 0) + timedelta(days=DRAFT_DAYS, minutes=1))
    sign_in(client, WDC, TEACHER)
    assert 'data-testid="drafts"' not in client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert drafts_in(app) == 0, "deleted, not only hidden"


def test_text_that_cannot_be_stored_is_refused_not_saved(app, client):
    sign_in(client, WDC, TEACHER)
    post_page(client, f"/{WDC}/cases/new/escalation", agency="Social Work Services")
    refused = post_page(client, f"/{WDC}/cases/new/escalation/2", other_agency="Area\x00team", save="yes")
    assert refused.status_code == 200 and "cannot be saved" in refused.get_data(as_text=True)
    assert drafts_in(app) == 0


def test_the_privacy_notice_says_how_long_saved_answers_are_kept(client):
    page = client.get(f"/{WDC}/privacy").get_data(as_text=True)
    assert f"or {DRAFT_DAYS} days after they were last saved" in page


def test_the_daily_purge_deletes_expired_drafts_nobody_came_back_to(app, client, clock):
    """A draft holds what someone began to type about a child: gone at its expiry even if nobody reads drafts."""
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, TEACHER)
    save_two_answers(client)
    assert drafts_in(app) == 1
    clock.set(london(2026, 11, 24, 10, 0) + timedelta(days=DRAFT_DAYS - 1))
    assert "saved drafts past their expiry: 0" in app.test_cli_runner().invoke(args=["concord", "purge"]).output
    assert drafts_in(app) == 1
    clock.set(london(2026, 11, 24, 10, 0) + timedelta(days=DRAFT_DAYS, minutes=1))
    output = app.test_cli_runner().invoke(args=["concord", "purge", "--dry-run"]).output
    assert "saved drafts past their expiry: 1" in output and drafts_in(app) == 1
    assert "saved drafts past their expiry: 1" in app.test_cli_runner().invoke(args=["concord", "purge"]).output
    assert drafts_in(app) == 0
