"""Journey 5: a council admin replaces a retiring QIO; open cases reach the successor."""
import re

from core.testing import CLOSING, post_action, sign_in

WDC = "westdunbartonshire"
ESCALATION = {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Team",
    "decision": "d", "disagreement": "w", "tried": "t",
}


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def row_fields(html):
    """The bulk edit form as the browser would post it, unchanged."""
    data = {m[0]: m[1] for m in re.findall(r'name="(c\d+-(?:name|email))" type="\w+" value="([^"]*)"', html)}
    data.update({m: "y" for m in re.findall(r'name="(c\d+-active)" type="checkbox" value="y" checked', html)})
    return data


def contact_id(html, email):
    return re.search(rf'name="(c\d+)-email" type="email" value="{re.escape(email)}"', html).group(1)


def case_at_qio_for_vale_of_leven(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ESCALATION}).get_json()["reference"]
    sign_in(client, WDC, "head.establishment@wdc.example.org", "manager")
    post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": "escalate", "record": {"discussed": "x", "agreed": "y"}})
    return reference


def add_kit_sorrel_as_qio_for_vale_of_leven(client, note):
    """A council admin (signed in) adds a QIO for Vale of Leven through the directory's add form."""
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    added = client.post(f"/{WDC}/admin/directory/add", data={
        "new-csrf_token": csrf(page), "new-role": "qio", "new-scope": "Vale of Leven",
        "new-name": "Kit Sorrel", "new-email": "kit.sorrel@wdc.example.org", "new-note": note,
    }, follow_redirects=True)
    assert "Kit Sorrel added" in added.get_data(as_text=True)


def test_admin_replaces_a_retiring_qio_and_open_cases_reach_the_successor(client):
    reference = case_at_qio_for_vale_of_leven(client)
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    assert "<title>Contact directory – West Dunbartonshire Council</title>" in page
    row = contact_id(page, "qio.valeofleven@wdc.example.org")
    form = {**row_fields(page), "csrf_token": csrf(page), f"{row}-name": "Sam Reed",
            f"{row}-email": "sam.reed@wdc.example.org",
            "note": "Avery Wren retires; Sam Reed is QIO for Vale of Leven from 1 December"}
    saved = client.post(f"/{WDC}/admin/directory/", data=form, follow_redirects=True).get_data(as_text=True)
    assert "1 contact updated" in saved

    history = client.get(f"/{WDC}/admin/directory/history").get_data(as_text=True)
    assert "Avery Wren → Sam Reed" in history
    assert "Avery Wren retires; Sam Reed is QIO for Vale of Leven from 1 December" in history

    sign_in(client, WDC, "sam.reed@wdc.example.org", "manager")
    case = client.get(f"/{WDC}/api/cases/{reference}").get_json()
    assert case["stage"]["assignees"] == [{"name": "Sam Reed", "email": "sam.reed@wdc.example.org"}]
    done = post_action(client, f"/{WDC}/api/cases/{reference}/actions", {"action": "resolved", "record": {"discussed": "x", "agreed": "y", **CLOSING}})
    assert done.status_code == 200


def test_a_change_without_a_note_or_with_a_bad_email_is_refused_and_nothing_changes(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    row = contact_id(page, "qio.valeofleven@wdc.example.org")
    form = {**row_fields(page), "csrf_token": csrf(page), f"{row}-email": "not an email", "note": ""}
    refused = client.post(f"/{WDC}/admin/directory/", data=form)
    html = refused.get_data(as_text=True)
    assert "<title>Error: Contact directory – West Dunbartonshire Council</title>" in html
    assert "There is a problem" in html
    assert "Avery Wren: Enter an email address in the right format" in html
    assert "Enter a note saying why the directory is changing" in html
    assert 'value="not an email"' in html, "what the admin typed is kept"
    again = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    assert 'value="qio.valeofleven@wdc.example.org"' in again
    assert "No changes yet" in client.get(f"/{WDC}/admin/directory/history").get_data(as_text=True)


def test_a_second_qio_added_later_gets_new_cases_but_nothing_already_at_the_rung(client):
    earlier = case_at_qio_for_vale_of_leven(client)
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    add_kit_sorrel_as_qio_for_vale_of_leven(client, "Job share from January")
    later = case_at_qio_for_vale_of_leven(client)
    sign_in(client, WDC, "kit.sorrel@wdc.example.org", "manager")
    assert client.get(f"/{WDC}/api/cases/{earlier}").status_code == 404
    names = [a["name"] for a in client.get(f"/{WDC}/api/cases/{later}").get_json()["stage"]["assignees"]]
    assert names == ["Avery Wren", "Kit Sorrel"]


def test_a_stage_stranded_by_its_qio_leaving_reaches_the_qio_added_later_and_their_list(client):
    reference = case_at_qio_for_vale_of_leven(client)  # offered to Avery Wren
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    row = contact_id(page, "qio.valeofleven@wdc.example.org")
    form = {**row_fields(page), "csrf_token": csrf(page), "note": "Avery Wren has left", "confirm_empty": "yes"}
    del form[f"{row}-active"]  # the rung is empty, its open stage stranded (the admin confirms it)
    saved = client.post(f"/{WDC}/admin/directory/", data=form, follow_redirects=True).get_data(as_text=True)
    assert "1 contact updated" in saved
    add_kit_sorrel_as_qio_for_vale_of_leven(client, "New QIO")

    sign_in(client, WDC, "kit.sorrel@wdc.example.org", "manager")
    case = client.get(f"/{WDC}/api/cases/{reference}").get_json()
    assert [a["name"] for a in case["stage"]["assignees"]] == ["Kit Sorrel"]
    assert [c["reference"] for c in client.get(f"/{WDC}/api/cases").get_json()["cases"]] == [reference]


def test_the_directory_downloads_as_csv(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    response = client.get(f"/{WDC}/admin/directory/export.csv")
    assert response.mimetype == "text/csv"
    assert "qio,Vale of Leven,Avery Wren,qio.valeofleven@wdc.example.org,yes" in response.get_data(as_text=True)


def test_only_council_admins_see_the_directory_admin(client):
    for role in ("practitioner", "manager", "safeguarding-lead"):
        sign_in(client, WDC, "someone@wdc.example.org", role)
        assert client.get(f"/{WDC}/admin/directory/").status_code == 404
    client.post(f"/{WDC}/sign-out")
    assert client.get(f"/{WDC}/admin/directory/").status_code == 404


def test_a_csv_import_adds_and_updates_contacts_with_a_note(client):
    import io

    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    csv_text = ("role,scope,name,email,active\n"
                "qio,Vale of Leven,Avery Wren,qio.valeofleven@wdc.example.org,no\n"
                "qio,Vale of Leven,Sam Reed,sam.reed@wdc.example.org,yes\n")
    done = client.post(f"/{WDC}/admin/directory/import", data={
        "import-csrf_token": csrf(page), "import-note": "Handover to Sam Reed",
        "import-file": (io.BytesIO(csv_text.encode()), "directory.csv"),
    }, content_type="multipart/form-data", follow_redirects=True)
    assert "Imported: 1 added, 1 updated" in done.get_data(as_text=True)
    assert "Handover to Sam Reed" in client.get(f"/{WDC}/admin/directory/history").get_data(as_text=True)


def test_a_csv_with_a_bad_line_imports_nothing_and_says_which_line(client):
    import io

    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    csv_text = ("role,scope,name,email\n"
                "qio,Vale of Leven,Sam Reed,sam.reed@wdc.example.org\n"
                "qio,Atlantis,Kit Sorrel,kit@wdc.example.org\n"
                "janitor,,Lee Moss,not-an-email\n")
    refused = client.post(f"/{WDC}/admin/directory/import", data={
        "import-csrf_token": csrf(page), "import-note": "x",
        "import-file": (io.BytesIO(csv_text.encode()), "directory.csv"),
    }, content_type="multipart/form-data")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Line 3: Atlantis is not a scope of Quality Improvement Officer / Service Manager" in html
    assert "Line 4: janitor is not a rung here" in html
    assert "Line 4: not-an-email is not an email address" in html
    assert "sam.reed@wdc.example.org" not in client.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True)


def _import(client, council, csv_text, note="Round trip"):
    import io

    page = client.get(f"/{council}/admin/directory/").get_data(as_text=True)
    return client.post(f"/{council}/admin/directory/import", data={
        "import-csrf_token": csrf(page), "import-note": note,
        "import-file": (io.BytesIO(csv_text.encode()), "directory.csv"),
    }, content_type="multipart/form-data", follow_redirects=True)


def test_the_directory_export_imports_back_unchanged_in_every_council(app, client):
    for council in app.extensions["concord"].councils:
        domain = {"westdunbartonshire": "wdc"}.get(council, council)
        sign_in(client, council, f"admin@{domain}.example.org", "council-admin")
        exported = client.get(f"/{council}/admin/directory/export.csv").get_data(as_text=True)
        done = _import(client, council, exported)
        assert "Imported: 0 added, 0 updated" in done.get_data(as_text=True), council
        assert client.get(f"/{council}/admin/directory/export.csv").get_data(as_text=True) == exported, council
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    exported = client.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True)
    assert "social-work-duty,,Social Work Services duty team (demo),sw.duty@wdc.example.org,yes" in exported


def test_three_bad_rows_are_refused_with_their_line_numbers_and_nothing_is_saved(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    before = client.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True)
    refused = _import(client, WDC, "role,scope,name,email,active\n"
                      "qio,Vale of Leven,Sam Reed,sam.reed@wdc.example.org,yes\n"
                      "qio,Vale of Leven,Kit Sorrel,kit.sorrel@wdc.example.org,maybe\n"
                      "head-of-service,,Drew Kestrel,head.of.service@wdc.example.org,\n"
                      "qio,Vale of Leven,Sam Reed again,SAM.REED@wdc.example.org,yes\n"
                      "caretaker,,Lee Moss,lee.moss@wdc.example.org,no\n")
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "There is a problem" in html
    assert "Line 3: active must be yes or no, not maybe" in html
    assert "Line 5: sam.reed@wdc.example.org is on this rung already, at line 2" in html
    assert "Line 6: caretaker is not a rung here" in html
    assert html.count("Line ") == 3
    assert client.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True) == before
    assert "No changes yet" in client.get(f"/{WDC}/admin/directory/history").get_data(as_text=True)


def test_the_same_person_cannot_be_added_twice_to_one_rung(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    again = client.post(f"/{WDC}/admin/directory/add", data={
        "new-csrf_token": csrf(page), "new-role": "qio", "new-scope": "Vale of Leven",
        "new-name": "Avery Wren", "new-email": "qio.valeofleven@wdc.example.org", "new-note": "Oops",
    })
    assert again.status_code == 400
    assert "qio.valeofleven@wdc.example.org is already on this rung" in again.get_data(as_text=True)


def test_history_names_the_person_and_the_rung_in_words(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    client.post(f"/{WDC}/admin/directory/add", data={
        "new-csrf_token": csrf(page), "new-role": "sw-team-leader", "new-scope": "",
        "new-name": "Kit Sorrel", "new-email": "kit.sorrel@wdc.example.org", "new-note": "New team leader",
    })
    history = client.get(f"/{WDC}/admin/directory/history").get_data(as_text=True)
    assert "<strong>Kit Sorrel</strong>" in history
    assert "Added to Team Leader (Social Work)" in history
    assert "sw-team-leader" not in history
    directory = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    assert "Same-day contact when a child is at immediate risk" in directory and ">social-work-duty<" not in directory


def test_a_long_directory_is_paged_and_filtered(client):
    rows = "".join(f"qio,Vale of Leven,Person {i:03d},person{i:03d}@wdc.example.org,yes\n" for i in range(60))
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    before = client.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True).count("\n") - 1
    assert "Imported: 60 added" in _import(client, WDC, "role,scope,name,email,active\n" + rows).get_data(as_text=True)
    first = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    assert f"Showing 1 to 50 of {before + 60} people" in first and 'class="govuk-pagination' in first
    found = client.get(f"/{WDC}/admin/directory/?q=person05").get_data(as_text=True)
    assert "Showing 1 to 10 of 10 people" in found
    rung = client.get(f"/{WDC}/admin/directory/?rung=head-of-service").get_data(as_text=True)
    assert "Showing 1 to 1 of 1 person" in rung and "Drew Kestrel" in rung
