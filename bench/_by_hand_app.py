"""For information beside the submission figure: Concord's writes with no application around them.

A bare Flask app on Concord's own schema that answers ``POST /<council>/api/cases``
by sending, as hand-written SQL, what Concord sends for the bench's Education
dissent: the signed-in user's row, the closure days, the two rungs' contacts, then the
case, its first stage, its offer, two timeline rows, the audit row, the reference and
the nine outbox rows. No sign-in check, no validation, no plugins, no ORM.

``BY_HAND=statements`` sends them one by one, as Concord does (eleven statements);
``BY_HAND=one`` writes every row with one chained statement (PostgreSQL only).
``bench/submission.py`` runs both against the same floor, so its output shows how
near any implementation of the procedure's writes can come to the floor.
"""
import os
import uuid
from datetime import UTC, date, datetime, timedelta

from flask import Flask, jsonify, request
from sqlalchemy import bindparam, create_engine, text
from sqlalchemy.dialects.postgresql import JSONB

USER = text('SELECT id, email, session_generation FROM "user" WHERE council = :council AND email = :email')
CLOSURE_DAYS = text("SELECT day FROM closure_day WHERE council = :council")
CONTACTS = text("SELECT id, email, role FROM contact WHERE council = :council AND active AND ((role = 'head-of-establishment' "
                "AND scope IS NULL) OR (role = 'qio' AND (scope = :scope OR scope IS NULL))) ORDER BY name")
CASE = text('INSERT INTO "case" (council, reference, process, ladder, plugin_version, answers, status, raised_by_id, raised_at) '
            "VALUES (:council, :reference, 'escalation', 'education', '1', :answers, 'open', :user, :now) RETURNING id"
            ).bindparams(bindparam("answers", type_=JSONB))
ENTRY = text("INSERT INTO stage_entry (case_id, position, stage, role, scope, entered_at, due_on, to_lead, late_on_arrival, "
             "no_meeting, long_overdue_on) VALUES (:case, 0, 'head', 'head-of-establishment', NULL, :now, :due, false, false, "
             "false, :due) RETURNING id")
OFFER = text("INSERT INTO stage_offer (stage_entry_id, contact_id) VALUES (:entry, :contact)")
EVENT = text("INSERT INTO case_event (case_id, at, actor_id, kind, summary) VALUES (:case, :now, :user, :kind, :summary)")
AUDIT = text("INSERT INTO audit_event (council, user_id, case_id, action, at) VALUES (:council, :user, :case, 'open', :now)")
COUNTER = text("INSERT INTO reference_counter (council, year, last) VALUES (:council, :year, 1) ON CONFLICT (council, year) "
               "DO UPDATE SET last = reference_counter.last + 1 RETURNING last")
REFERENCE = text('UPDATE "case" SET reference = :reference WHERE id = :case')
OUTBOX = text("INSERT INTO scheduled_notification (council, case_id, stage_entry_id, kind, recipient, dedupe_key, send_after, "
              "state, attempts, created_at) SELECT :council, :case, :entry, m.kind, m.recipient, m.key, :now, 'pending', 0, "
              ":now FROM unnest(CAST(:kinds AS text[]), CAST(:recipients AS text[]), CAST(:keys AS text[])) "
              "AS m(kind, recipient, key) ON CONFLICT DO NOTHING")
ONE_STATEMENT = text("""
WITH number AS (""" + COUNTER.text + """),
 k AS (INSERT INTO "case" (council, reference, process, ladder, plugin_version, answers, status, raised_by_id, raised_at)
       SELECT :council, :prefix || number.last, 'escalation', 'education', '1', :answers, 'open', :user, :now FROM number
       RETURNING id, reference),
 s AS (INSERT INTO stage_entry (case_id, position, stage, role, scope, entered_at, due_on, to_lead, late_on_arrival, no_meeting,
       long_overdue_on) SELECT k.id, 0, 'head', 'head-of-establishment', NULL, :now, :due, false, false, false, :due FROM k
       RETURNING id),
 o AS (INSERT INTO stage_offer (stage_entry_id, contact_id) SELECT s.id, c FROM s, unnest(CAST(:offers AS int[])) c),
 e AS (INSERT INTO case_event (case_id, at, actor_id, kind, summary)
       SELECT k.id, :now, :user, 'opened', 'Raised' FROM k UNION ALL SELECT k.id, :now, NULL, 'stage', 'With the head' FROM k),
 a AS (INSERT INTO audit_event (council, user_id, case_id, action, at) SELECT :council, :user, k.id, 'open', :now FROM k),
 n AS (INSERT INTO scheduled_notification (council, case_id, stage_entry_id, kind, recipient, dedupe_key, send_after, state,
       attempts, created_at)
       SELECT :council, k.id, s.id, m.kind, m.recipient, k.reference || '/' || m.kind || '/' || m.recipient, :now, 'pending', 0,
              :now FROM k, s, unnest(CAST(:kinds AS text[]), CAST(:recipients AS text[])) AS m(kind, recipient)
       ON CONFLICT DO NOTHING)
SELECT k.reference, s.id FROM k, s""").bindparams(bindparam("answers", type_=JSONB))

EMAIL = os.environ.get("BY_HAND_EMAIL", "teacher.demo@wdc.example.org")


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
            {row.day for row in conn.execute(CLOSURE_DAYS, {"council": council})}
            contacts = conn.execute(CONTACTS, {"council": council, "scope": answers["learning_community"]}).all()
            heads, qios = ([c for c in contacts if c.role == role] for role in ("head-of-establishment", "qio"))
            head, qio = heads[0].email, qios[0].email
            kinds, recipients = zip(*(  # the nine messages Concord plans for this submission
                ("acknowledgement", user.email), ("long-overdue", "role:safeguarding-lead"), ("long-overdue", user.email),
                ("assignment", head), ("reminder", head), ("due-today", head),
                ("overdue", head), ("overdue", qio), ("overdue", user.email)), strict=True)
            if one_statement:
                reference, entry = conn.execute(ONE_STATEMENT, {
                    "council": council, "year": now.year, "prefix": f"WDC-{now.year}-", "answers": answers, "user": user.id,
                    "now": now, "due": due, "offers": [c.id for c in heads], "kinds": list(kinds),
                    "recipients": list(recipients)}).one()
            else:
                case = conn.execute(CASE, {"council": council, "reference": uuid.uuid4().hex, "answers": answers,
                                           "user": user.id, "now": now}).scalar_one()
                entry = conn.execute(ENTRY, {"case": case, "now": now, "due": due}).scalar_one()
                conn.execute(OFFER, [{"entry": entry, "contact": c.id} for c in heads])
                conn.execute(EVENT, [{"case": case, "now": now, "user": user.id, "kind": "opened", "summary": "Raised"},
                                     {"case": case, "now": now, "user": None, "kind": "stage", "summary": "With the head"}])
                conn.execute(AUDIT, {"council": council, "user": user.id, "case": case, "now": now})
                reference = f"WDC-{now.year}-{conn.execute(COUNTER, {'council': council, 'year': now.year}).scalar_one()}"
                conn.execute(REFERENCE, {"reference": reference, "case": case})
                conn.execute(OUTBOX, {"council": council, "case": case, "entry": entry, "now": now, "kinds": list(kinds),
                                      "recipients": list(recipients),
                                      "keys": [f"{reference}/{k}/{r}" for k, r in zip(kinds, recipients, strict=True)]})
        return jsonify({"reference": reference, "stage": {"entry": entry, "due_on": due.isoformat()}}), 201

    return app


app = create_app() if "DATABASE_URL" in os.environ else None
