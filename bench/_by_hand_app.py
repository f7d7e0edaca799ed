"""The floor of the submission figure: Concord's writes with no application around them.

A bare Flask app on Concord's own schema that answers ``POST /<council>/api/cases``
by sending, as hand-written SQL, what Concord sends on PostgreSQL for the bench's Education
escalation (``tests/engine/test_statement_counts.py`` pins Concord's side):

1. the signed-in user's row, 2. the two rungs' contacts, 3. the closure days;
4. the case, its first stage, the audit row, its offer and two timeline rows, in one statement of
   data-modifying WITHs;
5. last, the nine outbox rows, the reports' monthly rows (``report_month``: the month's and the year's
   "raised", the first stage's "reached" in the month and the year, and its due day's "open", added to
   as ``core.engine.report_months`` adds them) and the reference, in one statement.

No sign-in check, no validation, no plugins, no ORM.

``BY_HAND=statements`` sends those five statements, as Concord does; ``BY_HAND=one`` writes every
row with one chained statement (the counter's row then locked for all of it).
``bench/submission.py`` runs both against the same floor, so its output shows how
near any implementation of the procedure's writes can come to the floor.
"""
import os
import uuid
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, request
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.dialects.postgresql import JSONB

USER = text('SELECT id, email, session_generation FROM "user" WHERE council = :council AND email = :email')
CLOSURE_DAYS = text("SELECT day FROM closure_day WHERE council = :council")
CONTACTS = text("SELECT id, email, role FROM contact WHERE council = :council AND active AND ((role = 'head-of-establishment' "
                "AND scope IS NULL) OR (role = 'qio' AND (scope = :scope OR scope IS NULL))) ORDER BY name")
CASE_ROWS = """
 k AS (INSERT INTO "case" (council, reference, process, ladder, plugin_version, answers, areas, status, raised_by_id,
       raised_at) VALUES (:council, :provisional, 'escalation', 'education', '1', :answers, :areas, 'open', :user, :now) RETURNING id),
 s AS (INSERT INTO stage_entry (case_id, position, stage, role, scope, entered_at, due_on, to_lead, late_on_arrival, no_meeting,
       long_overdue_on) SELECT k.id, 0, 'head-of-establishment', 'head-of-establishment', NULL, :now, :due, false, false, false, :due FROM k
       RETURNING id, case_id),
 a AS (INSERT INTO audit_event (council, user_id, case_id, action, at) SELECT :council, :user, k.id, 'open', :now FROM k),
 o AS (INSERT INTO stage_offer (stage_entry_id, case_id, contact_id) SELECT s.id, s.case_id, c FROM s, unnest(CAST(:offers AS int[])) c
       RETURNING id),
 e AS (INSERT INTO case_event (case_id, at, actor_id, kind, summary)
       SELECT k.id, :now, :user, 'opened', 'Raised' FROM k UNION ALL SELECT k.id, :now, NULL, 'stage', 'With the head' FROM k
       RETURNING id)"""
MONTHLY_ROWS = """
 r AS (INSERT INTO report_month (council, figure, month, process, ladder, name, outcome, tenths, cases, on_time, reached)
       SELECT :council, m.figure, m.month, 'escalation', m.ladder, m.name, '', -1, m.cases, 0, m.reached
       FROM unnest(CAST(:r_figure AS text[]), CAST(:r_month AS date[]), CAST(:r_ladder AS text[]), CAST(:r_name AS text[]),
                   CAST(:r_cases AS int[]), CAST(:r_reached AS int[])) AS m(figure, month, ladder, name, cases, reached)
       ON CONFLICT (council, figure, month, process, ladder, name, outcome, tenths) DO UPDATE SET
       cases = report_month.cases + excluded.cases, on_time = report_month.on_time + excluded.on_time,
       reached = report_month.reached + excluded.reached)"""
COUNTER = ("INSERT INTO reference_counter (council, year, last) VALUES (:council, :year, 1) ON CONFLICT (council, year) "
           "DO UPDATE SET last = reference_counter.last + 1 RETURNING last")
OUTBOX = """
 n AS (INSERT INTO scheduled_notification (council, case_id, stage_entry_id, kind, recipient, dedupe_key, send_after, state,
       attempts, created_at)
       SELECT :council, :case, :entry, m.kind, m.recipient, m.key, :now, 'pending', 0, :now
       FROM unnest(CAST(:kinds AS text[]), CAST(:recipients AS text[]), CAST(:keys AS text[])) AS m(kind, recipient, key)
       ON CONFLICT DO NOTHING)"""
NUMBER_THE_CASE = (" number AS (" + COUNTER + ") UPDATE \"case\" SET reference = :prefix || lpad(number.last::text, greatest(4, length(number.last::text)), '0') "
                   "FROM number WHERE \"case\".id = :case RETURNING \"case\".reference")
WRITE_THE_CASE = text("WITH" + CASE_ROWS + " SELECT k.id, s.id FROM k, s").bindparams(bindparam("answers", type_=JSONB))
LAST = text("WITH" + OUTBOX + "," + MONTHLY_ROWS + "," + NUMBER_THE_CASE)
# Everything in one statement: numbered first (the counter's row locked for all of it), the outbox's keys
# from the ids the WITHs return.
ONE_STATEMENT = text("""WITH number AS (""" + COUNTER + """),
 k AS (INSERT INTO "case" (council, reference, process, ladder, plugin_version, answers, areas, status, raised_by_id, raised_at)
       SELECT :council, :prefix || lpad(number.last::text, greatest(4, length(number.last::text)), '0'), 'escalation', 'education', '1', :answers, :areas, 'open', :user,
              :now FROM number RETURNING id, reference),""" + CASE_ROWS.split("RETURNING id),", 1)[1] + "," + MONTHLY_ROWS + """,
 n AS (INSERT INTO scheduled_notification (council, case_id, stage_entry_id, kind, recipient, dedupe_key, send_after, state,
       attempts, created_at)
       SELECT :council, k.id, s.id, m.kind, m.recipient, 'entry-' || s.id || '/' || m.kind || '/' || m.recipient, :now,
              'pending', 0, :now FROM k, s, unnest(CAST(:kinds AS text[]), CAST(:recipients AS text[])) AS m(kind, recipient)
       ON CONFLICT DO NOTHING)
SELECT k.reference, s.id FROM k, s""").bindparams(bindparam("answers", type_=JSONB))

EMAIL = os.environ.get("BY_HAND_EMAIL", "teacher.demo@wdc.example.org")
# West Dunbartonshire's Education route's first stage, as Concord names it: a case the by-hand server opens is
# one Concord can open afterwards (its start-up refuses open cases at a stage the council does not have).
STAGE = "head-of-establishment"
LONDON = ZoneInfo("Europe/London")


def monthly_rows(now: datetime, due: date) -> dict[str, list]:
    """The monthly rows Concord adds to for this submission, in its order (the key's), as arrays."""
    month = now.astimezone(LONDON).date().replace(day=1)
    rows = sorted([("open", due, "", "", 1, 0), ("raised", month, "education", "", 1, 0),
                   ("raised:year", month.replace(month=1), "education", "", 1, 0),
                   ("stage", month, "education", STAGE, 0, 1), ("stage:year", month.replace(month=1), "education", STAGE, 0, 1)])
    return {f"r_{name}": [row[i] for row in rows]
            for i, name in enumerate(("figure", "month", "ladder", "name", "cases", "reached"))}


def create_app():
    app = Flask(__name__)
    engine = create_engine(os.environ["DATABASE_URL"])
    one_statement = os.environ.get("BY_HAND", "statements") == "one"

    @app.post("/<council>/api/cases")
    def open_case(council):
        answers = request.get_json()["answers"]
        now = datetime.now(UTC)
        due = date.today() + timedelta(days=7)
        with engine.begin() as conn:
            user = conn.execute(USER, {"council": council, "email": EMAIL}).one()
            contacts = conn.execute(CONTACTS, {"council": council, "scope": answers["learning_community"]}).all()
            {row.day for row in conn.execute(CLOSURE_DAYS, {"council": council})}
            heads, qios = ([c for c in contacts if c.role == role] for role in ("head-of-establishment", "qio"))
            head, qio = heads[0].email, qios[0].email
            kinds, recipients = zip(*(  # the nine messages Concord plans for this submission
                ("acknowledgement", user.email), ("long-overdue", "role:safeguarding-lead"), ("long-overdue", user.email),
                ("assignment", head), ("reminder", head), ("due-today", head),
                ("overdue", head), ("overdue", qio), ("overdue", user.email)), strict=True)
            params = {"council": council, "year": now.year, "prefix": f"WDC-{now.year}-", "answers": answers,
                      "areas": f"\x1flearning_community={answers['learning_community']}\x1f",
                      "user": user.id, "now": now, "due": due, "offers": [c.id for c in heads], "kinds": list(kinds),
                      "recipients": list(recipients), **monthly_rows(now, due)}
            if one_statement:
                reference, entry = conn.execute(ONE_STATEMENT, params).one()
            else:
                case, entry = conn.execute(WRITE_THE_CASE, {**params, "provisional": uuid.uuid4().hex}).one()
                keys = [f"entry-{entry}/{kind}/{r}" for kind, r in zip(kinds, recipients, strict=True)]
                reference = conn.execute(LAST, {**params, "case": case, "entry": entry, "keys": keys}).scalar_one()
        return jsonify({"reference": reference, "stage": {"entry": entry, "due_on": due.isoformat()}}), 201

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
