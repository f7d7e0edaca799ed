"""Council admins add closure days; new deadlines skip them."""
import re

from core.testing import london, sign_in

WDC = "westdunbartonshire"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Team",
           "decision": "d", "disagreement": "w", "tried": "t"}


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def raise_case(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    return client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()


def confirm(client, preview):
    """Press Confirm on a calendar change's preview page."""
    page = preview.get_data(as_text=True)
    start = page.index("/admin/calendar/confirm")
    fields = dict(re.findall(r'name="([^"]+)" type="hidden" value="([^"]*)"', page[start:page.index("</form>", start)]))
    fields.update(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page[start:page.index("</form>", start)]))
    return client.post(f"/{WDC}/admin/calendar/confirm", data=fields, follow_redirects=True)


def test_a_closure_day_added_by_an_admin_moves_new_due_dates_and_open_ones_once_confirmed(client, clock):
    clock.set(london(2026, 12, 14, 9, 0))  # Monday
    before = raise_case(client)
    assert before["stage"]["due_on"] == "2026-12-21"

    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True)
    preview = client.post(f"/{WDC}/admin/calendar/closures", data={
        "closure-csrf_token": csrf(page), "closure-day": ["16", "12", "2026"], "closure-reason": "Council closure day",
    })
    assert "Add Wednesday 16 December 2026 as a closure day" in preview.get_data(as_text=True)
    added = confirm(client, preview)
    assert "Done: add Wednesday 16 December 2026 as a closure day. 1 open stage moved." in added.get_data(as_text=True)

    after = raise_case(client)
    assert after["stage"]["due_on"] == "2026-12-22"
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    assert client.get(f"/{WDC}/api/cases/{before['reference']}").get_json()["stage"]["due_on"] == "2026-12-22"
    assert client.get(f"/{WDC}/api/calendar/working-days?from=2026-12-15&add=1").get_json()["date"] == "2026-12-17"


def test_a_bad_or_repeated_closure_day_is_explained(client, clock):
    clock.set(london(2026, 12, 14, 9, 0))
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    token = csrf(client.get(f"/{WDC}/admin/calendar/").get_data(as_text=True))
    bad = client.post(f"/{WDC}/admin/calendar/closures", data={
        "closure-csrf_token": token, "closure-day": ["31", "2", "2026"], "closure-reason": "x"})
    assert bad.status_code == 400 and "must be a real date" in bad.get_data(as_text=True)
    good = {"closure-csrf_token": token, "closure-day": ["16", "12", "2026"], "closure-reason": "Closure"}
    confirm(client, client.post(f"/{WDC}/admin/calendar/closures", data=good))
    again = client.post(f"/{WDC}/admin/calendar/closures", data=good)
    assert again.status_code == 400 and "16 December 2026 is already a closure day" in again.get_data(as_text=True)


def test_only_council_admins_see_the_calendar_admin(client):
    for role in ("practitioner", "manager", "safeguarding-lead"):
        sign_in(client, WDC, "someone@wdc.example.org", role)
        assert client.get(f"/{WDC}/admin/calendar/").status_code == 404


def test_a_case_waiting_for_a_group_with_no_meetings_is_explained_on_the_page_and_not_saved(make_app):
    from core.hookspecs import hookimpl
    from core.model.deadlines import NextMeeting
    from core.model.procedures import Council, DirectoryEntry, Field, Ladder, Process, Role, Stage, resolve

    panel = Council(slug="panelshire", name="Panelshire Council", nation="ENG", reference_prefix="PAN",
                    immediate_risk="phone the front door today.", processes=(Process(
                        slug="review", title="Ask the panel", summary="s",
                        intake=(Field("what", "What to review", "textarea"),),
                        ladders=(Ladder("panel", "Panel", stages=(
                            Stage("panel", "Panel review", Role("panel", "Panel"), NextMeeting("review-panel"),
                                  (Field("notes", "Notes", "textarea"),), (resolve(),)),)),)),))

    class Panelshire:
        @hookimpl
        def concord_register_councils(self):
            return [panel]

        @hookimpl
        def concord_demo_directory(self, council):
            return [DirectoryEntry("panel", "Panel clerk", "clerk@panel.example.org")] if council.slug == "panelshire" else None

    client = make_app(PLUGINS=[Panelshire()]).test_client()
    sign_in(client, "panelshire", "someone@panel.example.org")
    token = csrf(client.get("/panelshire/cases/new/review").get_data(as_text=True))
    response = client.post("/panelshire/cases/new/review", data={"csrf_token": token, "what": "w", "confirmed": "yes"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "There is a problem" in page and "No meeting of the review panel is scheduled" in page
    assert 'href="#None"' not in page
    assert "PAN-" not in client.get("/panelshire/cases/").get_data(as_text=True)
