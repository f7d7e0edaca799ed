"""A directory import at scale: one diff written in bulk, its history kept, open stages re-planned at once."""
import io
import re

from sqlalchemy import select

from core.model.records import Contact, ContactChange, ScheduledNotification, db
from core.testing import counted, london, sign_in

WDC = "westdunbartonshire"
ESCALATION = {"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
    "decision": "Closed.", "disagreement": "New concerns.", "tried": "Talked."}}
HEADER = "role,scope,name,email,active\n"


def import_csv(client, text, note="Termly update"):
    page = client.get(f"/{WDC}/admin/directory/").get_data(as_text=True)
    token = re.search(r'name="import-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    return client.post(f"/{WDC}/admin/directory/import", data={
        "import-csrf_token": token, "import-note": note,
        "import-file": (io.BytesIO(text.encode()), "directory.csv")}, content_type="multipart/form-data")


def rows(first, count, *, renamed=False):
    """Heads of establishment and team leaders, and one QIO in ten (a rung above open stages)."""
    lines = []
    for i in range(first, first + count):
        role, scope = ("qio", "Vale of Leven") if i % 10 == 0 else (("head-of-establishment", ""), ("sw-team-leader", ""))[i % 2]
        lines.append(f"{role},{scope},Contact {i:04d}{' (renamed)' if renamed else ''},contact{i:04d}@wdc.example.org,yes")
    return HEADER + "\n".join(lines) + "\n"


def open_cases(client, clock, how_many=3):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    for _ in range(how_many):
        assert client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code == 201
    sign_in(client, WDC, "admin.demo@wdc.example.org", "council-admin")


def test_an_import_takes_as_many_statements_for_200_rows_as_for_20(app, client, clock):
    open_cases(client, clock)
    with counted(app) as few:
        assert import_csv(client, rows(1, 20)).status_code == 302
    with counted(app) as many:
        assert import_csv(client, rows(100, 200)).status_code == 302
    with counted(app) as changed:
        assert import_csv(client, rows(100, 200, renamed=True)).status_code == 302
    first_lines = "\n".join(s.split("\n")[0] for s in many)
    assert len(few) == len(many), first_lines
    assert len(changed) <= len(many), "\n".join(s.split("\n")[0] for s in changed)
    assert len(many) <= 40, first_lines
    assert len([s for s in many if s.startswith("INSERT INTO contact ")]) == 1, first_lines
    assert len([s for s in many if s.startswith("INSERT INTO contact_change")]) == 1, first_lines
    assert len([s for s in many if s.startswith("INSERT INTO scheduled_notification")]) == 1, first_lines


def test_every_added_and_changed_contact_keeps_its_history_row_with_the_note(app, client, clock):
    open_cases(client, clock, how_many=1)
    done = import_csv(client, rows(1, 30), note="Autumn term")
    assert done.status_code == 302
    again = import_csv(client, rows(1, 30, renamed=True).replace("contact0003@wdc.example.org,yes",
                                                                 "contact0003@wdc.example.org,no"), note="Renamed")
    assert "Imported: 0 added, 30 updated" in client.get(again.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        changes = db.session.scalars(select(ContactChange).order_by(ContactChange.id)).all()
        added = [c for c in changes if c.note == "Autumn term"]
        renamed = [c for c in changes if c.note == "Renamed"]
        assert len(added) == 30 and len(renamed) == 30
        assert {c.contact.email for c in added} == {f"contact{i:04d}@wdc.example.org" for i in range(1, 31)}
        assert all(list(c.changes) == ["added"] for c in added)
        third = next(c for c in renamed if c.contact.email == "contact0003@wdc.example.org")
        assert third.changes == {"name": ["Contact 0003", "Contact 0003 (renamed)"], "active": [True, False]}
        contact = db.session.scalar(select(Contact).where(Contact.email == "contact0003@wdc.example.org"))
        assert (contact.name, contact.active) == ("Contact 0003 (renamed)", False)


def test_an_import_re_plans_open_stages_alike_on_sqlite_and_postgresql(app, client, clock):
    """A new QIO for Vale of Leven hears if the stage below goes overdue, at the same moment as the others;
    the QIO made inactive no longer does. PostgreSQL writes the new rows from one JSON parameter, SQLite one by one:
    the rows are the same."""
    open_cases(client, clock, how_many=1)
    assert import_csv(client, HEADER + "qio,Vale of Leven,Kit Sorrel,kit.sorrel@wdc.example.org,yes\n"
                      "qio,Vale of Leven,Avery Wren,qio.valeofleven@wdc.example.org,no\n").status_code == 302
    with app.app_context():
        planned = db.session.execute(select(
            ScheduledNotification.kind, ScheduledNotification.recipient, ScheduledNotification.state,
            ScheduledNotification.send_after).where(ScheduledNotification.stage_entry_id.is_not(None))
            .order_by(ScheduledNotification.kind, ScheduledNotification.recipient)).all()
    overdue_at = london(2026, 12, 3, 7, 0)
    assert [tuple(r) for r in planned] == [
        ("assignment", "head.establishment@wdc.example.org", "pending", london(2026, 11, 24, 10, 0)),
        ("due-today", "head.establishment@wdc.example.org", "pending", london(2026, 12, 2, 7, 0)),
        ("long-overdue", "role:safeguarding-lead", "pending", london(2026, 12, 10, 7, 0)),
        ("long-overdue", "teacher.demo@wdc.example.org", "pending", london(2026, 12, 10, 7, 0)),
        ("overdue", "head.establishment@wdc.example.org", "pending", overdue_at),
        ("overdue", "kit.sorrel@wdc.example.org", "pending", overdue_at),
        ("overdue", "qio.valeofleven@wdc.example.org", "cancelled", overdue_at),
        ("overdue", "teacher.demo@wdc.example.org", "pending", overdue_at),
        ("reminder", "head.establishment@wdc.example.org", "pending", london(2026, 12, 1, 7, 0)),
    ]
