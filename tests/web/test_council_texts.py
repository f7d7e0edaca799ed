"""A council admin confirms or rewords the texts the plugin wrote in (immediate-risk
guidance, signposts); every page uses the new words and the history keeps each version."""
import re

from core.testing import sign_in

WDC = "westdunbartonshire"
ADMIN = "admin@wdc.example.org"


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_an_admin_rewords_the_immediate_risk_guidance_and_the_signposts_with_history(client):
    sign_in(client, WDC, ADMIN, "council-admin")
    page = client.get(f"/{WDC}/admin/texts/").get_data(as_text=True)
    assert "make a child protection referral to Social Work Services today" in page, "the plugin's text to start from"
    assert "No changes yet" in page

    missing_note = client.post(f"/{WDC}/admin/texts/", data={
        "csrf_token": csrf(page), "immediate_risk": "Phone the duty team today.", "signposts": "", "note": ""})
    assert missing_note.status_code == 400
    assert "Enter a note saying why the texts are changing" in missing_note.get_data(as_text=True)
    assert "make a child protection referral" in client.get(f"/{WDC}/").get_data(as_text=True), "nothing saved"

    saved = client.post(f"/{WDC}/admin/texts/", data={
        "csrf_token": csrf(page), "immediate_risk": "refer to Social Work Services duty today (confirmed wording).",
        "signposts": "Complaints go to the council's complaints procedure.\n\n", "note": "Confirmed by the lead officer"})
    assert saved.status_code == 302
    home = client.get(f"/{WDC}/").get_data(as_text=True)
    assert "If a child is at immediate risk of harm: refer to Social Work Services duty today (confirmed wording)." in home
    assert "Complaints go to the council&#39;s complaints procedure." in home
    assert "whistleblowing" not in home

    history = client.get(f"/{WDC}/admin/texts/").get_data(as_text=True)
    assert history.count("Confirmed by the lead officer") == 2, "one row per text changed"

    sign_in(client, "gloucestershire", "worker@gcc.example.org")
    other = client.get("/gloucestershire/").get_data(as_text=True)
    assert "confirmed wording" not in other, "each council's texts are its own"


def test_only_council_admins_reach_the_texts(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    assert client.get(f"/{WDC}/admin/texts/").status_code == 404
