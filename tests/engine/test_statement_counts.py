"""SQL statements per request, counted, so a regression fails here and not only in bench/."""
import re

from core.model.records import db
from core.testing import counted, london, sign_in

WDC = "westdunbartonshire"
ESCALATION = {"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
    "decision": "Closed.", "disagreement": "New concerns.", "tried": "Talked."}}


def test_raising_a_case_takes_a_bounded_number_of_statements(app, client, clock):
    """Core INSERTs write the case, its stage, the audit row, offers and timeline (on PostgreSQL one statement;
    SQLite sends the timeline rows one by one); the outbox's rows are written and the reports' monthly rows
    added to (core.engine.report_months); last, the reference is numbered (on PostgreSQL the outbox, the
    monthly rows, the counter and the case's reference in one statement; SQLite four)."""
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    assert client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code == 201  # the counter row exists now
    with counted(app) as statements:
        assert client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code == 201
    with app.app_context():
        limit = 5 if db.engine.dialect.name == "postgresql" else 13
    assert len(statements) <= limit, "\n".join(s.split("\n")[0] for s in statements)
    assert len(directory_reads(statements)) == 1, "the first rung and the one above it (its overdue mail) in one read"
    outbox_inserts = [s for s in statements if "INSERT INTO scheduled_notification" in s]
    assert len(outbox_inserts) == 1, "every message of the submission in one INSERT statement"


def test_a_submission_sends_five_statements_on_postgresql_the_reference_last(app, client, clock):
    """The sign-in's user, the two rungs, the closure days; the case, its first stage, the audit row, the
    offers and both timeline rows in one statement (data-modifying WITHs); last one statement that writes the
    outbox's nine messages and adds to the reports' monthly rows (each one INSERT of its rows as one JSON parameter,
    so the server runs it once, not once a row) and numbers the reference, so the counter's row and the
    monthly rows are locked for one statement. Each table is written by one statement (no unit-of-work
    flush splitting or repeating them). SQLite cannot put an INSERT in a WITH, so there the audit row is a
    statement of its own, the two timeline rows are sent one by one, the outbox's and monthly rows are
    executemany (run once a row, in process) and numbering takes two."""
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    assert client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code == 201  # the counter row exists now
    with counted(app, per_row=True) as statements:  # an executemany of nine rows is nine statements to the server
        assert client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code == 201
    with app.app_context():
        postgresql = db.engine.dialect.name == "postgresql"
    listed = "\n".join(s.split("\n")[0] for s in statements)
    assert len(statements) == (5 if postgresql else 13 + 8 + 4), listed
    if postgresql:
        last = statements[-1]
        assert all(f"INSERT INTO {table} " in last for table in ("scheduled_notification", "report_month",
                                                                  "reference_counter")), last
        for table in ('"case"', "stage_entry", "stage_offer", "case_event", "audit_event", "scheduled_notification",
                      "report_month"):
            writes = [s for s in statements if f"INSERT INTO {table} " in s]
            assert len(writes) == 1, (table, listed)
        assert all(f"INSERT INTO {table} " in statements[-2] for table in ('"case"', "stage_entry", "audit_event",
                                                                           "stage_offer", "case_event")), listed
        # Many rows of a table travel as one JSON parameter, not an array per column (psycopg converted each
        # array in Python: a tenth of the submission's CPU for 26 arrays).
        named = {statement: set(re.findall(r"%\((\w+)\)s", statement)) for statement in statements[-2:]}
        assert {"council", "year", "id", "prefix", "outbox", "month"} == named[last], named[last]
        assert {"case", "entry", "audit", "offers", "events"} == named[statements[-2]], named[statements[-2]]
    else:
        assert "reference_counter" in statements[-2] and "report_month" in statements[-3], listed


def test_acting_on_a_stage_takes_a_bounded_number_of_statements(app, client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json=ESCALATION).get_json()["reference"]
    sign_in(client, WDC, "head.establishment@wdc.example.org", "manager")
    entry = client.get(f"/{WDC}/api/cases/{reference}").get_json()["stage"]["entry"]
    with counted(app) as statements:
        response = client.post(f"/{WDC}/api/cases/{reference}/actions", json={
            "action": "escalate", "record": {"discussed": "Met.", "agreed": "No."}, "entry": entry})
    assert response.status_code == 200
    # 20: the last is the cases opened from this one (a case shows its links both ways); one is the upsert
    # of the reports' monthly rows (core.engine.report_months).
    assert len(statements) <= 20, "\n".join(s.split("\n")[0] for s in statements)
    assert len(directory_reads(statements)) == 1, "the QIO rung (nothing above it) read once"


def directory_reads(statements):
    """Reads of a rung's contacts (not of the contacts a signed-in person holds)."""
    return [s for s in statements if s.startswith("SELECT") and "\nFROM contact" in s and "contact.role =" in s]
