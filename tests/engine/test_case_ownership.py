"""Who acts on a case: named holders, offered rungs, actions bound to their stage, one case per raise.

A small fictional council, Chairshire, is registered in the tests: a conference dissent whose
first rung is the chair named on the form, then the board managers (two people on one rung),
and a "differences remain" process an outcome refers on to.
"""
import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from core.hookspecs import hookimpl
from core.model.deadlines import SameWorkingDay, WorkingDays
from core.model.procedures import (
    Council,
    DirectoryEntry,
    Field,
    Ladder,
    Outcome,
    Process,
    Role,
    Stage,
    escalate,
    resolve,
)
from core.model.records import Case, ScheduledNotification, db
from core.testing import CLOSING, drain, london, post_action, sign_in

C = "chairshire"
RAISER = "raiser@chairshire.example.org"
CHAIR = "named.chair@chairshire.example.org"
DIRECTORY_CHAIR = "directory.chair@chairshire.example.org"
MANAGER_ONE = "manager.one@chairshire.example.org"
MANAGER_TWO = "manager.two@chairshire.example.org"
LINE_MANAGER = "line.manager@chairshire.example.org"
LEAD = "lead@chairshire.example.org"
ADMIN = "admin@chairshire.example.org"

CHAIR_ROLE = Role("conference-chair", "Conference Chair", person="chair_email", person_name="chair_name")
BOARD_MANAGER = Role("board-manager", "Board Manager")
NOTES = (Field("notes", "Notes", "textarea"),)

conference_dissent = Process(
    slug="conference-dissent",
    title="Dissent at a conference",
    summary="Testing.",
    intake=(
        Field("conference_date", "Date of the conference", "date"),
        Field("chair_name", "Name of the chair"),
        Field("chair_email", "Email of the chair", "email"),
        Field("reasons", "Your reasons", "textarea"),
    ),
    outcome_to=("chair_email",),
    ladders=(Ladder("dissent", "Dissent", stages=(
        Stage("chair-notes", "The chair notes the dissent", CHAIR_ROLE, SameWorkingDay(from_="conference_date"),
              NOTES, (resolve(), escalate())),
        Stage("board-manager", "Board Manager", BOARD_MANAGER, WorkingDays(5, from_="conference_date"), NOTES,
              (resolve(), Outcome("differences-remain", "Refer on: a difference that remains",
                                  opens="differences-remain"))),
    )),),
)

differences_remain = Process(
    slug="differences-remain",
    title="Differences that remain",
    summary="Testing.",
    intake=(Field("reasons", "Your reasons", "textarea"),),
    ladders=(Ladder("remain", "Remain", stages=(
        Stage("board-chair", "Board Chair", Role("board-chair", "Board Chair"), WorkingDays(10), NOTES, (resolve(),)),
    )),),
)

line_management = Process(
    slug="line-management",
    title="A disagreement through line management",
    summary="Testing.",
    intake=(Field("what", "What happened", "textarea"),),
    ladders=(Ladder("line", "Line", stages=(
        Stage("line-manager", "Line manager", Role("line-manager", "Line manager"), WorkingDays(2), NOTES,
              (resolve(), escalate())),
        Stage("board-manager", "Board Manager", BOARD_MANAGER, WorkingDays(5), NOTES, (resolve(),)),
    )),),
)

CHAIRSHIRE = Council(slug=C, name="Chairshire Council", nation="ENG", reference_prefix="CHS",
                     processes=(conference_dissent, differences_remain, line_management),
                     immediate_risk="phone the Chairshire front door today.")


class Chairshire:
    @hookimpl
    def concord_register_councils(self):
        return [CHAIRSHIRE]

    @hookimpl
    def concord_demo_directory(self, council):
        if council.slug != C:
            return None
        return [
            DirectoryEntry("conference-chair", "Directory Chair", DIRECTORY_CHAIR),
            DirectoryEntry("board-manager", "Manager One", MANAGER_ONE),
            DirectoryEntry("board-manager", "Manager Two", MANAGER_TWO),
            DirectoryEntry("line-manager", "Line Manager", LINE_MANAGER),
            DirectoryEntry("board-chair", "Board Chair", "board.chair@chairshire.example.org"),
        ]


@pytest.fixture
def app(make_app):
    return make_app(PLUGINS=[Chairshire()])


def dissent(conference="2026-11-23", chair=CHAIR):
    return {"process": "conference-dissent", "answers": {
        "conference_date": conference, "chair_name": "Robin Named", "chair_email": chair, "reasons": "Not weighed."}}


def raise_(client, payload=None, email=RAISER, role="practitioner", **headers):
    sign_in(client, C, email, role)
    response = client.post(f"/{C}/api/cases", json=payload or dissent(), headers=headers)
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


def recipients(app, **where) -> set[str]:
    with app.app_context():
        return set(db.session.scalars(db.select(ScheduledNotification.recipient).filter_by(**where)))


def count(app, model, **where) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model).filter_by(**where))


def case_json(client, reference):
    return client.get(f"/{C}/api/cases/{reference}").get_json()


def at_board_manager(client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client)["reference"]
    sign_in(client, C, CHAIR, "manager")
    assert post_action(client, f"/{C}/api/cases/{reference}/actions",
                       {"action": "escalate", "record": {"notes": "Noted."}}).status_code == 200
    return reference


def test_the_named_chair_not_the_directorys_holds_the_chairs_rung_and_gets_the_outcome(app, client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client)["reference"]

    sign_in(client, C, DIRECTORY_CHAIR, "manager")
    assert client.get(f"/{C}/api/cases/{reference}").status_code == 404
    sign_in(client, C, CHAIR, "manager")
    stage = case_json(client, reference)["stage"]
    assert stage["assignee"] == {"name": "Robin Named", "email": CHAIR}
    done = post_action(client, f"/{C}/api/cases/{reference}/actions", {"action": "resolved", "record": {"notes": "Agreed.", **CLOSING}})
    assert done.status_code == 200 and done.get_json()["status"] == "closed"
    assert recipients(app, kind="outcome") == {RAISER, CHAIR}


def test_an_unrelated_line_manager_gets_404_on_the_case(client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, LINE_MANAGER, "manager")
    assert client.get(f"/{C}/api/cases/{reference}").status_code == 404
    assert client.get(f"/{C}/cases/{reference}").status_code == 404
    assert reference not in client.get(f"/{C}/cases/").get_data(as_text=True)


def test_the_first_to_take_a_shared_rung_holds_it_and_the_other_sees_only_taken_by(client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, MANAGER_ONE, "manager")
    entry = case_json(client, reference)["stage"]["entry"]
    taken = client.post(f"/{C}/api/cases/{reference}/take", json={"entry": entry})
    assert taken.status_code == 200
    assert taken.get_json()["stage"]["assignee"] == {"name": "Manager One", "email": MANAGER_ONE}

    sign_in(client, C, MANAGER_TWO, "manager")
    assert client.get(f"/{C}/api/cases/{reference}").status_code == 404
    page = client.get(f"/{C}/cases/{reference}").get_data(as_text=True)
    assert "Taken by Manager One" in page and "Not weighed." not in page
    assert post_action(client, f"/{C}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"notes": "x"}}).status_code == 404


def test_a_lead_reassigns_a_stage_with_a_note(client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, LEAD, "safeguarding-lead")
    page = client.get(f"/{C}/cases/{reference}").get_data(as_text=True)
    entry = re.search(r'name="entry" value="(\d+)"', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    person = re.search(r'<option value="([a-z]+-\d+)">Line Manager \(', page).group(1)
    client.post(f"/{C}/cases/{reference}/reassign", data={
        "csrf_token": token, "entry": entry, "person": person, "note": "Covering leave"})
    timeline = [e["summary"] for e in case_json(client, reference)["timeline"]]
    assert "Board Manager: reassigned from the rung to Line Manager. Covering leave" in timeline
    sign_in(client, C, LINE_MANAGER, "manager")
    assert post_action(client, f"/{C}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"notes": "Done.", **CLOSING}}).status_code == 200


def test_the_raiser_cannot_act_on_their_own_case_and_their_rung_goes_to_the_others(client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client, dissent(), email=MANAGER_ONE, role="manager")["reference"]
    assert post_action(client, f"/{C}/api/cases/{reference}/actions",
                       {"action": "escalate", "record": {"notes": "Mine."}}).status_code == 403

    sign_in(client, C, CHAIR, "manager")
    post_action(client, f"/{C}/api/cases/{reference}/actions", {"action": "escalate", "record": {"notes": "Noted."}})
    case = case_json(client, reference)
    assert [a["email"] for a in case["stage"]["assignees"]] == [MANAGER_TWO]
    assert any("The person who raised it is on this rung, so it is offered to the other people on it" in e["summary"]
               for e in case["timeline"])

    sign_in(client, C, MANAGER_ONE, "manager")
    assert post_action(client, f"/{C}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"notes": "Mine."}}).status_code == 403


def test_a_raiser_named_as_the_chair_sends_the_rung_to_the_leads(client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client, dissent(chair=RAISER))["reference"]
    case = case_json(client, reference)
    assert case["stage"]["to_lead"] is True
    assert "so it goes to the safeguarding leads" in case["timeline"][-1]["summary"]


def test_the_raiser_withdraws_with_a_reason(client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client)["reference"]
    entry = case_json(client, reference)["stage"]["entry"]
    missing = client.post(f"/{C}/api/cases/{reference}/actions", json={"action": "withdraw", "record": {}, "entry": entry})
    assert missing.status_code == 400 and "reason" in missing.get_json()["errors"]
    done = client.post(f"/{C}/api/cases/{reference}/actions",
                       json={"action": "withdraw", "record": {"reason": "Resolved informally"}, "entry": entry})
    assert done.status_code == 200
    assert (done.get_json()["status"], done.get_json()["outcome"]) == ("closed", "withdrawn")
    page = client.get(f"/{C}/cases/{reference}").get_data(as_text=True)
    assert "Withdrawn by the person who raised it" in page
    assert "✓ Done" not in page and "✗ The case was withdrawn here by the person who raised it" in page
    assert ">withdrawn<" not in page
    sign_in(client, C, CHAIR, "manager")
    assert client.post(f"/{C}/api/cases/{reference}/actions",
                       json={"action": "withdraw", "record": {"reason": "x"}, "entry": entry}).status_code in (403, 404)


def test_the_same_form_posted_twice_moves_the_case_one_rung(client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client)["reference"]
    sign_in(client, C, CHAIR, "manager")
    page = client.get(f"/{C}/cases/{reference}").get_data(as_text=True)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "entry": re.search(r'name="entry" value="(\d+)"', page).group(1), "notes": "Noted.", "action": "escalate"}
    client.post(f"/{C}/cases/{reference}", data=form)
    again = client.post(f"/{C}/cases/{reference}", data=form, follow_redirects=True).get_data(as_text=True)
    assert "This stage was already acted on by Named Chair at 10:00 on 23 November 2026" in again
    case = case_json(client, reference)
    assert [s["slug"] for s in case["stages"]] == ["chair-notes", "board-manager"]


def test_a_stale_entry_is_409_and_a_missing_one_400_with_nothing_saved(client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(client)["reference"]
    sign_in(client, C, CHAIR, "manager")
    entry = case_json(client, reference)["stage"]["entry"]
    body = {"action": "escalate", "record": {"notes": "Noted."}}
    missing = client.post(f"/{C}/api/cases/{reference}/actions", json=body)
    assert missing.status_code == 400 and "entry" in missing.get_json()["errors"]
    assert client.post(f"/{C}/api/cases/{reference}/actions", json={**body, "entry": entry}).status_code == 200

    sign_in(client, C, LEAD, "safeguarding-lead")
    before = case_json(client, reference)
    stale = client.post(f"/{C}/api/cases/{reference}/actions", json={**body, "entry": entry})
    assert stale.status_code == 409
    assert stale.get_json()["error"].startswith("This stage was already acted on by Named Chair at 10:00")
    after = case_json(client, reference)
    assert after["stages"] == before["stages"] and len(after["timeline"]) == len(before["timeline"])


def test_twenty_concurrent_pairs_of_actions_each_act_once(app, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    client = app.test_client()
    references = [raise_(client)["reference"] for _ in range(20)]
    people = []
    for email in (CHAIR, LEAD):
        person = app.test_client()
        sign_in(person, C, email, "manager" if email == CHAIR else "safeguarding-lead")
        people.append(person)
    entries = {r: case_json(people[1], r)["stage"]["entry"] for r in references}

    def pair(reference):
        barrier = threading.Barrier(2)

        def one(person):
            barrier.wait()
            return person.post(f"/{C}/api/cases/{reference}/actions", json={
                "action": "escalate", "record": {"notes": "At once."}, "entry": entries[reference]}).status_code

        with ThreadPoolExecutor(2) as pool:
            return sorted(pool.map(one, people))

    results = [pair(r) for r in references]
    assert results == [[200, 409]] * 20
    for reference in references:
        assert [s["slug"] for s in case_json(people[1], reference)["stages"]] == ["chair-notes", "board-manager"]


def test_a_repeated_idempotency_key_returns_the_same_case_and_no_second_email(app, client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    sign_in(client, C, RAISER)
    first = client.post(f"/{C}/api/cases", json=dissent(), headers={"Idempotency-Key": "raise-0001-abc"})
    again = client.post(f"/{C}/api/cases", json=dissent(), headers={"Idempotency-Key": "raise-0001-abc"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.get_json()["reference"] == again.get_json()["reference"]
    assert count(app, Case) == 1
    assert count(app, ScheduledNotification, kind="acknowledgement") == 1


def test_concurrent_raises_with_one_idempotency_key_open_one_case(app, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    clients = [app.test_client() for _ in range(4)]
    for c in clients:
        sign_in(c, C, RAISER)
    barrier = threading.Barrier(len(clients))

    def submit(c):
        barrier.wait()
        return c.post(f"/{C}/api/cases", json=dissent(), headers={"Idempotency-Key": "same-key-at-once"}).get_json()

    with ThreadPoolExecutor(len(clients)) as pool:
        references = {r["reference"] for r in pool.map(submit, clients)}
    assert len(references) == 1
    assert count(app, Case) == 1


def test_confirming_check_your_answers_twice_raises_one_case(app, client, clock):
    clock.set(london(2026, 11, 23, 10, 0))
    sign_in(client, C, RAISER)
    page = client.get(f"/{C}/cases/new/line-management").get_data(as_text=True)
    token = re.search(r'name="raise_token" value="([^"]+)"', page).group(1)
    form = {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1),
            "raise_token": token, "what": "A decision", "confirmed": "yes"}
    first = client.post(f"/{C}/cases/new/line-management", data=form)
    again = client.post(f"/{C}/cases/new/line-management", data=form, follow_redirects=True)
    assert first.headers["Location"].endswith("/cases/CHS-2026-0001/raised")
    assert "You had already raised this: it has not been raised twice" in again.get_data(as_text=True)
    assert "CHS-2026-0001" in again.get_data(as_text=True)
    assert count(app, Case) == 1


def test_sign_out_then_replaying_the_old_cookie_is_signed_out(client):
    sign_in(client, C, RAISER)
    assert client.get(f"/{C}/cases/").status_code == 200
    cookie = client.get_cookie("session").value
    page = client.get(f"/{C}/cases/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/{C}/sign-out", data={"csrf_token": token})
    client.set_cookie("session", cookie)
    response = client.get(f"/{C}/cases/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


def test_a_council_admin_sees_progress_without_the_childs_details(client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, ADMIN, "council-admin")
    assert client.get(f"/{C}/api/cases/{reference}").status_code == 404
    page = client.get(f"/{C}/cases/{reference}", follow_redirects=True).get_data(as_text=True)
    assert "Progress, for council admins" in page
    assert "Board Manager" in page and "Offered to Manager One, Manager Two" in page
    assert "assignment" in page and MANAGER_ONE in page
    assert "Not weighed." not in page and "Robin Named" in page  # the chair's name is who held a rung, not child data


def test_an_admin_resends_a_failed_message_from_the_progress_page(app, client, clock):
    reference = at_board_manager(client, clock)
    with app.app_context():
        row = db.session.scalar(db.select(ScheduledNotification).filter_by(kind="assignment", recipient=MANAGER_ONE))
        row.state, row.last_error = "failed", "550 mailbox unavailable"
        row_id = row.id
        db.session.commit()
    sign_in(client, C, ADMIN, "council-admin")
    page = client.get(f"/{C}/cases/{reference}/progress").get_data(as_text=True)
    assert "550 mailbox unavailable" in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/{C}/cases/{reference}/notifications/{row_id}/resend", data={"csrf_token": token})
    assert count(app, ScheduledNotification, id=row_id, state="pending") == 1


def directory_form(client):
    page = client.get(f"/{C}/admin/directory/").get_data(as_text=True)
    fields = dict(re.findall(r'name="(c\d+-(?:name|email))"[^>]*value="([^"]*)"', page))
    fields.update({name: "y" for name in re.findall(r'name="(c\d+-active)"[^>]*checked', page)})
    ids = dict((email, cid) for cid, email in re.findall(r'name="(c\d+)-email"[^>]*value="([^"]*)"', page))
    return page, fields, ids


def test_emptying_a_rung_asks_first_names_the_cases_and_tells_the_leads_and_reactivating_readdresses(app, client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, LEAD, "safeguarding-lead")  # a lead who has signed in can be told
    sign_in(client, C, ADMIN, "council-admin")
    page, fields, ids = directory_form(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    for email in (MANAGER_ONE, MANAGER_TWO):
        fields.pop(f"{ids[email]}-active")
    form = {**fields, "csrf_token": token, "note": "Both on leave"}
    asked = client.post(f"/{C}/admin/directory/", data=form).get_data(as_text=True)
    assert "leaves nobody active on the rung of these open cases" in asked and reference in asked
    assert MANAGER_ONE not in recipients(app, kind="due-today", state="cancelled"), "nothing saved before confirming"

    client.post(f"/{C}/admin/directory/", data={**form, "confirm_empty": "yes"})
    assert recipients(app, kind="rung-empty") == {LEAD}
    assert MANAGER_ONE in recipients(app, kind="due-today", state="cancelled")

    page, fields, ids = directory_form(client)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post(f"/{C}/admin/directory/", data={**fields, f"{ids[MANAGER_ONE]}-active": "y", "csrf_token": token,
                                                "note": "Back from leave"})
    assert MANAGER_ONE in recipients(app, kind="due-today", state="pending")


def test_an_admin_cannot_put_themselves_on_a_rung(client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, ADMIN, "council-admin")
    page = client.get(f"/{C}/admin/directory/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    refused = client.post(f"/{C}/admin/directory/add", data={
        "new-csrf_token": token, "new-role": "board-manager", "new-scope": "", "new-name": "Me",
        "new-email": ADMIN, "new-note": "Adding myself"})
    assert "You cannot put yourself on a rung" in refused.get_data(as_text=True)
    sign_in(client, C, ADMIN, "manager")
    assert client.get(f"/{C}/api/cases/{reference}").status_code == 404


def test_a_difference_that_remains_opens_a_linked_case_and_the_next_rung_hears(client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, MANAGER_ONE, "manager")
    closed = post_action(client, f"/{C}/api/cases/{reference}/actions",
                         {"action": "differences-remain", "record": {"notes": "Still apart.", **CLOSING}}).get_json()
    assert closed["status"] == "closed"
    linked = next(e["summary"] for e in closed["timeline"] if e["kind"] == "linked")
    new_reference = re.search(r"CHS-2026-\d{4}", linked).group(0)
    sign_in(client, C, LEAD, "safeguarding-lead")
    opened = case_json(client, new_reference)
    assert opened["process"] == "differences-remain" and opened["opened_from"] == reference
    assert opened["answers"] == {"reasons": "Not weighed."}
    assert opened["stage"]["assignees"] == [{"name": "Board Chair", "email": "board.chair@chairshire.example.org"}]
    assert any(f"Opened from {reference}" in e["summary"] for e in opened["timeline"])


@pytest.fixture
def mail_app(make_app, smtp_sink):
    return make_app(PLUGINS=[Chairshire()], MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port,
                    BASE_URL="https://concord.example.org")


def test_a_dissent_raised_three_working_days_after_its_conference_sends_one_late_message(mail_app, smtp_sink, clock):
    client = mail_app.test_client()
    clock.set(london(2026, 11, 26, 10, 0))  # Thursday; the conference was on Monday 23 November
    reference = raise_(client, dissent(conference="2026-11-23"))["reference"]
    case = case_json(client, reference)
    assert case["stage"]["late_on_arrival"] is True

    drain(mail_app)
    clock.set(london(2026, 11, 26, 10, 1))
    drain(mail_app)
    assert smtp_sink.summary() == sorted([
        (CHAIR, f"{reference}: a case is with you and was already due on Monday 23 November 2026"),
        (RAISER, f"{reference}: received – Dissent at a conference"),
    ])
    for day in (27, 30):
        clock.set(london(2026, 11, day, 9, 0))
        drain(mail_app)
    assert len(smtp_sink.messages) == 2, "no due-today, no overdue burst"

    sign_in(client, C, RAISER)
    assert "Late on arrival" in client.get(f"/{C}/cases/").get_data(as_text=True)


def test_a_council_admin_ends_a_users_sessions(app, clock):
    person, admin = app.test_client(), app.test_client()
    sign_in(person, C, MANAGER_ONE, "manager")
    assert person.get(f"/{C}/cases/").status_code == 200
    sign_in(admin, C, ADMIN, "council-admin")
    page = admin.get(f"/{C}/admin/people/").get_data(as_text=True)
    assert "Manager One" in page
    user_id = re.search(r'action="/chairshire/admin/people/(\d+)/end-sessions"[^>]*>\s*<input[^>]*value="([^"]+)"'
                        r'[^<]*<button[^>]*>End sessions<span class="govuk-visually-hidden"> of Manager One', page)
    assert user_id, "an End sessions button for Manager One"
    admin.post(f"/{C}/admin/people/{user_id.group(1)}/end-sessions", data={"csrf_token": user_id.group(2)})
    response = person.get(f"/{C}/cases/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    sign_in(person, C, MANAGER_ONE, "manager")
    assert person.get(f"/{C}/cases/").status_code == 200


def test_sessions_kept_in_redis_end_at_sign_out_too(make_app):
    from core.testing import require_service

    require_service("Redis", "127.0.0.1", 6379)
    app = make_app(PLUGINS=[Chairshire()], SESSION_REDIS_URL="redis://127.0.0.1:6379/14")
    client = app.test_client()
    sign_in(client, C, RAISER)
    sid = client.get_cookie("session").value
    assert app.session_interface.client.exists(f"concord:session:{sid}")
    page = client.get(f"/{C}/cases/").get_data(as_text=True)
    client.post(f"/{C}/sign-out", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)})
    assert not app.session_interface.client.exists(f"concord:session:{sid}")
    client.set_cookie("session", sid)
    assert client.get(f"/{C}/cases/").status_code == 302


# --- authority belongs to identities, never to an email ------------------------------------------


def sign_in_as(client, email, role="manager", identity=""):
    """Sign in through the development API as ``email``; ``identity`` makes another identity with that email."""
    response = client.post(f"/{C}/api/dev/session", json={"email": email, "role": role, "identity": identity})
    assert response.status_code == 200, response.get_json()


def test_a_second_identity_with_a_managers_email_gains_nothing_once_the_first_takes_the_stage(app, clock):
    """Subject 2 with the Board Manager's verified email must not see or act on the case subject 1 took."""
    raiser, first, second = app.test_client(), app.test_client(), app.test_client()
    reference = at_board_manager(raiser, clock)
    sign_in_as(first, MANAGER_ONE)
    entry = case_json(first, reference)["stage"]["entry"]
    assert first.post(f"/{C}/api/cases/{reference}/take", json={"entry": entry}).status_code == 200

    sign_in_as(second, MANAGER_ONE, identity="second")
    assert second.get(f"/{C}/api/cases/{reference}").status_code == 404
    assert "Not weighed." not in second.get(f"/{C}/cases/{reference}").get_data(as_text=True)
    assert post_action(second, f"/{C}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"notes": "x", **CLOSING}}).status_code == 404
    assert reference not in second.get(f"/{C}/api/cases").get_data(as_text=True)
    assert case_json(first, reference)["stage"]["assignee"]["name"] == "Manager One"


def test_while_two_identities_claim_an_email_neither_holds_its_rung_until_an_admin_chooses(app, clock):
    raiser, first, second, admin = (app.test_client() for _ in range(4))
    reference = at_board_manager(raiser, clock)
    sign_in_as(first, MANAGER_ONE)
    assert first.get(f"/{C}/api/cases/{reference}").status_code == 200
    sign_in_as(second, MANAGER_ONE, identity="second")
    first.get(f"/{C}/api/cases/{reference}")  # a new request: the conflict is seen at once
    assert first.get(f"/{C}/api/cases/{reference}").status_code == 404
    assert second.get(f"/{C}/api/cases/{reference}").status_code == 404

    sign_in_as(admin, ADMIN, "council-admin")
    page = admin.get(f"/{C}/admin/directory/").get_data(as_text=True)
    assert f"Who is {MANAGER_ONE} (Manager One in the directory)?" in page
    chosen = re.search(r'id="identity-(\d+)" name="identity" type="radio" value="\d+">\s*<label[^>]*>Manager One '
                       r'\(second\)', page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    without_note = admin.post(f"/{C}/admin/directory/conflicts", data={
        "csrf_token": token, "email": MANAGER_ONE, "identity": chosen, "note": ""})
    assert without_note.status_code == 400 and "Enter a note" in without_note.get_data(as_text=True)
    done = admin.post(f"/{C}/admin/directory/conflicts", data={
        "csrf_token": token, "email": MANAGER_ONE, "identity": chosen, "note": "Checked with HR: the new account."},
        follow_redirects=True)
    assert "Manager One (second) now holds what" in done.get_data(as_text=True)
    assert f"Who is {MANAGER_ONE}" not in done.get_data(as_text=True)

    assert first.get(f"/{C}/api/cases/{reference}").status_code == 404
    assert post_action(second, f"/{C}/api/cases/{reference}/actions",
                       {"action": "resolved", "record": {"notes": "Done.", **CLOSING}}).status_code == 200


def test_the_chair_named_on_the_case_is_the_first_identity_with_that_email_and_nobody_else(app, clock):
    raiser, first, second = app.test_client(), app.test_client(), app.test_client()
    clock.set(london(2026, 11, 23, 10, 0))
    reference = raise_(raiser)["reference"]
    sign_in_as(first, CHAIR)
    assert first.get(f"/{C}/api/cases/{reference}").status_code == 200
    sign_in_as(second, CHAIR, identity="second")
    assert second.get(f"/{C}/api/cases/{reference}").status_code == 404
    assert post_action(second, f"/{C}/api/cases/{reference}/actions",
                       {"action": "escalate", "record": {"notes": "x"}}).status_code == 404
    assert post_action(first, f"/{C}/api/cases/{reference}/actions",
                       {"action": "escalate", "record": {"notes": "Noted."}}).status_code == 200


def reassign_form(client, reference):
    page = client.get(f"/{C}/cases/{reference}").get_data(as_text=True)
    fields = dict(re.findall(r'name="(csrf_token|entry|holder)" value="([^"]*)"', page))
    people = dict((name, value) for value, name in re.findall(r'<option value="([a-z]+-\d+)">([^<(]+?) \(', page))
    return fields, people


def test_a_lead_reassigns_only_to_someone_on_the_list_and_never_by_typing_an_address(app, client, clock):
    reference = at_board_manager(client, clock)
    sign_in(client, C, LEAD, "safeguarding-lead")
    fields, people = reassign_form(client, reference)
    assert "Raiser" not in " ".join(people), "the raiser is never offered"
    for person in ("user-99999999999999999999", "contact-0", "x,y@evil.example", "", "manager.one@chairshire.example.org"):
        shown = client.post(f"/{C}/cases/{reference}/reassign", data={**fields, "person": person, "note": "Cover"},
                            follow_redirects=True).get_data(as_text=True)
        assert "Choose the person to reassign to from the list" in shown, person
    assert case_json(client, reference)["stage"]["assignee"] is None

    done = client.post(f"/{C}/cases/{reference}/reassign", data={
        **fields, "person": people["Line Manager"], "note": "Covering leave"}, follow_redirects=True)
    assert "The stage has been reassigned to Line Manager" in done.get_data(as_text=True)
    assert [a["email"] for a in case_json(client, reference)["stage"]["assignees"]] == [LINE_MANAGER]


def test_a_reassign_from_a_page_shown_before_someone_took_the_stage_is_refused_and_says_so(app, clock):
    raiser, lead, taker = app.test_client(), app.test_client(), app.test_client()
    reference = at_board_manager(raiser, clock)
    sign_in(lead, C, LEAD, "safeguarding-lead")
    fields, people = reassign_form(lead, reference)
    sign_in_as(taker, MANAGER_ONE)
    taken = taker.post(f"/{C}/api/cases/{reference}/take", json={"entry": case_json(taker, reference)["stage"]["entry"]})
    assert taken.status_code == 200
    shown = lead.post(f"/{C}/cases/{reference}/reassign", data={
        **fields, "person": people["Line Manager"], "note": "Cover"}, follow_redirects=True).get_data(as_text=True)
    assert "This stage was already taken by Manager One" in shown and "nothing was reassigned" in shown
    assert case_json(taker, reference)["stage"]["assignee"]["name"] == "Manager One"


def race_a_take_and_a_reassign(app, clock) -> tuple[bool, bool, str]:
    """A manager takes the stage while a lead reassigns it: (taker told yes, lead told yes, who holds it)."""
    raiser, lead, taker = app.test_client(), app.test_client(), app.test_client()
    reference = at_board_manager(raiser, clock)
    sign_in(lead, C, LEAD, "safeguarding-lead")
    fields, people = reassign_form(lead, reference)
    sign_in_as(taker, MANAGER_ONE)
    entry = case_json(taker, reference)["stage"]["entry"]
    barrier = threading.Barrier(2)

    def take():
        barrier.wait()
        return taker.post(f"/{C}/api/cases/{reference}/take", json={"entry": entry}).status_code == 200

    def reassign():
        barrier.wait()
        page = lead.post(f"/{C}/cases/{reference}/reassign", data={
            **fields, "person": people["Line Manager"], "note": "Cover"}, follow_redirects=True)
        return "reassigned to Line Manager" in page.get_data(as_text=True)

    with ThreadPoolExecutor(2) as pool:
        took, reassigned = pool.submit(take), pool.submit(reassign)
        took, reassigned = took.result(), reassigned.result()
    stage = case_json(lead, reference)["stage"]
    return took, reassigned, (stage["assignee"] or {}).get("name") or ", ".join(a["name"] for a in stage["assignees"])


def test_of_a_take_and_a_reassign_at_once_one_wins_and_each_is_told_the_truth(make_app, clock):
    app = make_app(PLUGINS=[Chairshire()], RATE_LIMIT_SIGN_IN="1000/minute", RATE_LIMIT_API_WRITE="1000/minute")
    for _ in range(8):
        took, reassigned, holder = race_a_take_and_a_reassign(app, clock)
        assert took != reassigned, "exactly one of them was told it worked"
        assert holder == ("Manager One" if took else "Line Manager")
