"""The small wording defects of #25, each as the user reads it."""
import re

from core.testing import london, sign_in

WDC = "westdunbartonshire"
SURREY = "surrey"
TEACHER = "teacher.demo@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
ESCALATION = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
              "decision": "Closed.", "disagreement": "New concerns.", "tried": "Phoned the worker",
              "child_reference": "CHI-2026-77"}


def csrf(html):
    return re.search(r'name="(?:[a-z-]+-)?csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def raise_one(client):
    sign_in(client, WDC, TEACHER)
    return client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION}).get_json()["reference"]


def text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_one_case_is_downloaded_as_this_case_and_a_search_alone_is_not_called_filtered(client):
    raise_one(client)
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert "Download this case as CSV" in text(page) and "these 1 cases" not in page
    client.post(f"/{WDC}/cases/", data={"csrf_token": csrf(page), "q": "WDC-2026"})
    searched = text(client.get(f"/{WDC}/cases/").get_data(as_text=True))
    assert "filtered" not in searched, "nothing but the search narrows the list"
    assert "matching “WDC-2026”" in searched


def test_a_kept_search_is_shown_with_clear_search_on_every_page_it_filters(client):
    raise_one(client)
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    client.post(f"/{WDC}/cases/", data={"csrf_token": csrf(page), "q": "nothing-like-this"})
    later = client.get(f"/{WDC}/cases/?status=open").get_data(as_text=True)
    notice = later[later.index('data-testid="search-kept"'):]
    notice = notice[:notice.index("</div>")]
    assert "nothing-like-this" in notice and "Clear search" in notice
    assert "The search" in text(notice)


def test_the_one_person_on_a_rung_holds_it_without_an_offer_or_take(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    reference = raise_one(client)
    sign_in(client, WDC, HEAD, "manager")
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    holders = text(page[page.index('data-testid="holders"'):page.index("</dd>", page.index('data-testid="holders"'))])
    assert "offered to" not in holders and "Morgan Lark" in holders
    assert "Take this stage" not in page


def test_the_help_page_starts_its_sentences_with_a_capital(client):
    page = text(client.get(f"/{WDC}/help").get_data(as_text=True))
    after = page[page.index("Do not use this service.") + len("Do not use this service."):].lstrip()
    assert after[:1].isupper(), after[:40]


def test_a_meeting_is_named_as_the_council_writes_it(client):
    sign_in(client, SURREY, "admin@surrey.example.org", "council-admin")
    page = client.get(f"/{SURREY}/admin/calendar/").get_data(as_text=True)
    preview = client.post(f"/{SURREY}/admin/calendar/meetings/cp-dissents-group", data={
        "cp-dissents-group-csrf_token": csrf(page), "cp-dissents-group-day": ["13", "1", "2027"]}).get_data(as_text=True)
    assert "Add a meeting of the CP Dissents Group on Wednesday 13 January 2027" in preview
    assert "cp dissents group" not in preview


def test_the_reminder_names_the_due_day_not_tomorrow(app, client, clock):
    from core.model.records import ScheduledNotification, db
    from core.notify.render import render

    clock.set(london(2026, 12, 21, 10, 0))  # due after Christmas: "tomorrow" was never a safe word for the day before
    raise_one(client)
    with app.app_context():
        row = db.session.scalar(db.select(ScheduledNotification).where(ScheduledNotification.kind == "reminder"))
        message = render(row)
    assert "tomorrow" not in message.subject and "tomorrow" not in message.text


def test_the_timeline_says_who_holds_the_rung_in_words_everyone_can_read(client, clock):
    """The timeline is read by everyone on the case, not only by the person who raised it."""
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, HEAD, "manager")  # the Head of Establishment raises one themselves
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION}).get_json()["reference"]
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    summaries = " ".join(e["summary"] for e in client.get(f"/{WDC}/api/cases/{reference}").get_json()["timeline"])
    assert "yourself" not in summaries
    assert "The person who raised it is the only one on this rung, so it goes to the safeguarding leads" in summaries


def test_the_not_found_page_is_titled_in_a_few_words(client):
    page = client.get("/westdunbartonshire/no-such-page").get_data(as_text=True)
    assert re.search(r"<title>Page not found – [^<]*</title>", page), re.search(r"<title>.*?</title>", page).group()
