"""Every error through the GOV.UK error summary (#25): withdraw, reassign and
stale forms link to the field, keep what was typed, open the section again and
put "Error:" once at the start of the title."""
import re

from core.testing import sign_in

WDC = "westdunbartonshire"


def dissent(**answers):
    base = {"conference_date": "2026-11-20", "chair_name": "Pat Example", "chair_email": "chair@wdc.example.org",
            "agency": "Education Services", "decision": "Not registered.", "reasons": "Risk was understated."}
    return {"process": "conference-dissent", "answers": {**base, **answers}}


def form_fields(html, action):
    form = re.search(rf'<form method="post" action="{re.escape(action)}"[^>]*>(.*?)</form>', html, re.S).group(1)
    return dict(re.findall(r'name="(csrf_token|entry)"[^>]*value="([^"]*)"', form))


def title(html):
    return re.search(r"<title>\s*(.*?)\s*</title>", html, re.S).group(1)


def summary(html):
    return re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S).group(0)


def details_around(html, field_id):
    start = html.rindex("<details", 0, html.index(f'id="{field_id}"'))
    return html[start:html.index(">", start) + 1]


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def raised(client):
    sign_in(client, WDC, "practitioner@wdc.example.org")
    return client.post(f"/{WDC}/api/cases", json=dissent()).get_json()["reference"]


def test_withdrawing_without_a_reason_is_an_error_summary_linked_to_the_field(client):
    reference = raised(client)
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    fields = form_fields(page, f"/{WDC}/cases/{reference}/withdraw")
    shown = client.post(f"/{WDC}/cases/{reference}/withdraw", data={**fields, "reason": "  "},
                        follow_redirects=True).get_data(as_text=True)
    assert title(shown).startswith("Error: ") and title(shown).count("Error:") == 1
    assert 'href="#withdraw-reason"' in summary(shown)
    assert "Enter why you are withdrawing it" in summary(shown)
    assert "govuk-notification-banner" not in shown, "no 'Important' banner for an error"
    assert "open" in details_around(shown, "withdraw-reason"), "the section stays open"
    assert 'id="withdraw-reason-error"' in shown, "the message is by the field too"


def test_a_control_character_in_the_reason_keeps_what_was_typed(client):
    reference = raised(client)
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    fields = form_fields(page, f"/{WDC}/cases/{reference}/withdraw")
    shown = client.post(f"/{WDC}/cases/{reference}/withdraw", data={**fields, "reason": "Changed\x00my mind"},
                        follow_redirects=True).get_data(as_text=True)
    assert "Why you are withdrawing it contains a character that cannot be saved" in summary(shown)
    assert "Changed" in shown[shown.index('id="withdraw-reason"'):][:400]


def test_reassigning_with_nobody_chosen_and_no_note_names_both_fields(client):
    reference = raised(client)
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    fields = form_fields(page, f"/{WDC}/cases/{reference}/reassign")
    shown = client.post(f"/{WDC}/cases/{reference}/reassign", data={
        **fields, "person": "x,y@evil.example", "note": ""}, follow_redirects=True).get_data(as_text=True)
    assert title(shown).startswith("Error: ")
    errors = summary(shown)
    assert 'href="#reassign-person"' in errors and 'href="#reassign-note"' in errors
    assert "Choose the person to reassign to from the list" in errors
    assert "Enter a note saying why you are reassigning it" in errors
    assert "open" in details_around(shown, "reassign-person")

    person = re.search(r'<option value="(contact-\d+)">', shown).group(1)
    kept = client.post(f"/{WDC}/cases/{reference}/reassign", data={**fields, "person": person, "note": ""},
                       follow_redirects=True).get_data(as_text=True)
    assert f'<option value="{person}" selected>' in kept, "the person chosen is kept"


def test_a_stale_form_is_an_error_summary(client):
    reference = raised(client)
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    page = client.get(f"/{WDC}/cases/{reference}").get_data(as_text=True)
    entry = int(re.search(r'name="entry" value="(\d+)"', page).group(1))
    # The record form, posted after the stage it was shown for has been acted on (another entry is open).
    again = client.post(f"/{WDC}/cases/{reference}", data={"csrf_token": csrf(page), "entry": entry + 100},
                        follow_redirects=True).get_data(as_text=True)
    assert title(again).startswith("Error: ")
    assert "There is a problem" in summary(again) and "already acted on" in summary(again)
    assert "govuk-notification-banner" not in again


def test_error_appears_once_in_the_title_of_the_dry_run_and_the_texts(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    start = client.get(f"/{WDC}/admin/dry-run/").get_data(as_text=True)
    empty = client.post(f"/{WDC}/admin/dry-run/", data={"csrf_token": csrf(start)}).get_data(as_text=True)
    assert title(empty).startswith("Error: ") and title(empty).count("Error:") == 1, title(empty)

    page = client.get(f"/{WDC}/admin/texts/").get_data(as_text=True)
    missing = client.post(f"/{WDC}/admin/texts/", data={
        "csrf_token": csrf(page), "immediate_risk": "Phone the duty team today.", "signposts": "", "note": ""})
    assert title(missing.get_data(as_text=True)).count("Error:") == 1, title(missing.get_data(as_text=True))
