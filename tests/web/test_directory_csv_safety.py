"""The directory's CSV opens safely in a spreadsheet, and names refuse control characters."""
import csv
import io
import re

import pytest

from core.model.records import Contact, db
from core.testing import sign_in

WDC = "westdunbartonshire"


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def admin(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    return client


def import_csv(client, text, prefix="import"):
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    return client.post(f"/{WDC}/admin/directory/import", data={
        f"{prefix}-csrf_token": csrf(page), f"{prefix}-note": "Termly update",
        f"{prefix}-file": (io.BytesIO(text.encode()), "directory.csv"),
    }, content_type="multipart/form-data")


def exported(client):
    return list(csv.reader(io.StringIO(client.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True))))


FORMULAS = ['=HYPERLINK("https://evil.example","Open")', "+44 1234", "-2+3", "@SUM(A1)"]


def test_an_admin_exports_names_that_look_like_formulas_as_plain_text(app, admin):
    rows = "".join(f'qio,Vale of Leven,"{name.replace(chr(34), 2 * chr(34))}",f{i}@wdc.example.org,yes\n'
                   for i, name in enumerate(FORMULAS))
    assert import_csv(admin, "role,scope,name,email,active\n" + rows).status_code == 302
    with app.app_context():  # stored before names were checked
        db.session.add(Contact(council=WDC, role="qio", scope="Vale of Leven", name="\tTab Lead", email="tab@wdc.example.org"))
        db.session.add(Contact(council=WDC, role="qio", scope="Vale of Leven", name="\rCr Lead", email="cr@wdc.example.org"))
        db.session.commit()
    names = {row[3]: row[2] for row in exported(admin)[1:]}
    for i, name in enumerate(FORMULAS):
        assert names[f"f{i}@wdc.example.org"] == "'" + name
    assert names["tab@wdc.example.org"] == "'\tTab Lead"
    assert names["cr@wdc.example.org"] == "'\rCr Lead"
    assert names["qio.valeofleven@wdc.example.org"] == "Avery Wren"


def test_the_exported_csv_imports_again_unchanged(admin):
    rows = "".join(f'qio,Vale of Leven,"{name.replace(chr(34), 2 * chr(34))}",f{i}@wdc.example.org,yes\n'
                   for i, name in enumerate(FORMULAS))
    import_csv(admin, "role,scope,name,email,active\n" + rows)
    out = io.StringIO()
    csv.writer(out).writerows(exported(admin))
    again = import_csv(admin, out.getvalue())
    assert again.status_code == 302
    assert "Imported: 0 added, 0 updated" in admin.get(f"/{WDC}/admin/directory/").get_data(as_text=True)


@pytest.mark.parametrize("name", ["Sam\r\nReed", "Sam\nReed", "Sam\x07Reed", "Sam\x00Reed"])
def test_a_csv_name_with_a_line_break_or_control_character_is_refused(admin, name):
    refused = import_csv(admin, f'role,scope,name,email\nqio,Vale of Leven,"{name}",sam.reed@wdc.example.org\n')
    assert refused.status_code == 400
    assert "Line 2: the name" in refused.get_data(as_text=True)
    assert "sam.reed@wdc.example.org" not in admin.get(f"/{WDC}/admin/directory/export.csv").get_data(as_text=True)


def test_adding_a_contact_whose_name_holds_a_control_character_is_refused_on_the_page(admin):
    page = admin.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    refused = admin.post(f"/{WDC}/admin/directory/add", data={
        "new-csrf_token": csrf(page), "new-role": "qio", "new-scope": "Vale of Leven", "new-name": "Sam\x1bReed",
        "new-email": "sam.reed@wdc.example.org", "new-note": "New QIO"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert 'href="#new-name"' in html and "Name contains a control character" in html


def test_editing_a_name_to_hold_a_control_character_is_refused(admin):
    page = admin.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    data = {m[0]: m[1] for m in re.findall(r'name="(c\d+-(?:name|email))" type="\w+" value="([^"]*)"', page)}
    data.update({m: "y" for m in re.findall(r'name="(c\d+-active)" type="checkbox" value="y" checked', page)})
    first = next(k for k in data if k.endswith("-name"))
    data[first] = "Avery\x08Wren"
    refused = admin.post(f"/{WDC}/admin/directory/", data={**data, "csrf_token": csrf(page), "note": "Typo"})
    assert refused.status_code == 200
    assert "contains a control character" in refused.get_data(as_text=True)
