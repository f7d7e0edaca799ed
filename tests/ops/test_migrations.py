"""Upgrades proven from every release: a database built at each schema head main has had, holding open
cases, pending messages and audit rows, is brought up with ``flask db upgrade`` and nothing is lost.

The heads include two that were later edited in place: 0003 as first released (296da5b: no
``reported_at``, ``case_id`` NOT NULL) and 0004 as first released (33b0fef: no partial index). Their
original text is kept in tests/released_migrations, taken with ``git show <commit>:<path>``.

The rows are written with the columns the first release had, as its case engine wrote them: stages
entered before 0004 and deadlines1 existed, in a database since brought up to each later head.
"""
from __future__ import annotations

import json
import shutil
from datetime import UTC
from pathlib import Path

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, select, text

from core.app import create_app
from core.model.clock import FixedClock
from core.model.records import Case, db
from core.testing import TEST_SECRET_KEY, drain, london, post_action, scratch_postgres_database, sign_in

HERE = Path(__file__).parents[1]
MIGRATIONS = HERE.parent / "core" / "migrations"
WDC, GCC = "westdunbartonshire", "gloucestershire"
TEACHER = "teacher.demo@wdc.example.org"
HEAD = "head.establishment@wdc.example.org"
QIO = "qio.valeofleven@wdc.example.org"
HEAD_OF_SERVICE = "head.of.service@wdc.example.org"
LINE_MANAGER = "robin.ashdown@gloucestershire.example.org"
DISSENTER = "dissenter.demo@gloucestershire.example.org"

# Every schema head main has stood at, oldest first; "@commit" is a head as first released, before an edit.
RELEASES = ["0001", "0002", "0003@296da5b", "0003", "0004@33b0fef", "0004", "procedures1", "operations1",
            "hardening1", "deadlines1", "reports1", "workspace1", "perf_reports1"]
EDITED = {"0003@296da5b": ("0003_notification_outbox.py", "0003_notification_outbox.at-296da5b.py.txt"),
          "0004@33b0fef": ("0004_case_ownership.py", "0004_case_ownership.at-33b0fef.py.txt")}
ORDER = ["0001", "0002", "0003", "0004", "procedures1", "operations1", "hardening1", "deadlines1", "reports1",
         "workspace1", "perf_reports1"]


def at_least(release: str, revision: str) -> bool:
    return ORDER.index(release.split("@")[0]) >= ORDER.index(revision)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request, tmp_path):
    """A database of its own, empty, for one test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'release.db'}"
        return
    with scratch_postgres_database("concord_release") as url:
        yield url


def app_on(url, clock=None, **config):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "SECRET_KEY": TEST_SECRET_KEY,
                       "CONCORD_ENV": "development", "DEV_SIGN_IN": True, "CHECK_OPEN_CASES": False,
                       "CLOCK": clock or FixedClock(london(2026, 11, 24, 10, 0)), **config})


def build_release(url, release, tmp_path):
    """The schema exactly as ``release`` built it (its migration scripts, as they were then)."""
    directory = MIGRATIONS
    if release in EDITED:
        directory = tmp_path / "migrations-then"
        shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
        target, kept = EDITED[release]
        shutil.copy(HERE / "released_migrations" / kept, directory / "versions" / target)
    app = app_on(url)
    with app.app_context():
        upgrade(directory=str(directory), revision=release.split("@")[0])
        db.engine.dispose()


def utc(*args):
    """A London moment as the naive UTC value Concord stores."""
    return london(*args).astimezone(UTC).replace(tzinfo=None)


def fill_as_released(url, release):
    """Open cases, pending messages and audit rows, written with the columns every release had."""
    engine = create_engine(url)
    wdc = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern", "tried": "Phoned the worker"}
    dissent = {"conference_date": "2026-11-23", "chair_name": "C", "chair_email": "chair@wdc.example.org",
               "agency": "Health", "decision": "d", "reasons": "r"}
    gcc = {"conference_date": "2026-11-23", "line_manager_name": "Robin Ashdown", "line_manager_email": LINE_MANAGER,
           "agency": "Health", "professional_role": "Nurse", "decision": "d", "rationale": "r"}
    with engine.begin() as conn:
        conn.execute(text('INSERT INTO "user" (id, council, issuer, subject, email, name) VALUES '
                          "(1, :wdc, 'dev:westdunbartonshire', :teacher, :teacher, 'Teacher Demo'), "
                          "(2, :gcc, 'dev:gloucestershire', :dissenter, :dissenter, 'Dissenter Demo')"),
                     {"wdc": WDC, "gcc": GCC, "teacher": TEACHER, "dissenter": DISSENTER})
        conn.execute(text("INSERT INTO contact (id, council, role, scope, name, email, active) VALUES "
                          "(1, :wdc, 'head-of-establishment', NULL, 'Morgan Lark', :head, :yes), "
                          "(2, :wdc, 'qio', 'Vale of Leven', 'Avery Wren', :qio, :yes), "
                          "(3, :wdc, 'head-of-service', NULL, 'Drew Kestrel', :hos, :yes)"),
                     {"wdc": WDC, "head": HEAD, "qio": QIO, "hos": HEAD_OF_SERVICE, "yes": True})
        raised = utc(2026, 11, 23, 9, 0)
        cases = [(1, WDC, "WDC-2026-0001", "escalation", "education", wdc, 1),
                 (2, WDC, "WDC-2026-0002", "escalation", "education", wdc, 1),
                 (3, WDC, "WDC-2026-0003", "conference-dissent", "conference-dissent", dissent, 1),
                 (4, GCC, "GCC-2026-0001", "conference-dissent", "dissent", gcc, 2)]
        for id_, council, reference, process, ladder, answers, by in cases:
            conn.execute(text('INSERT INTO "case" (id, council, reference, process, ladder, plugin_version, answers, '
                              "status, raised_by_id, raised_at) VALUES (:id, :council, :reference, :process, :ladder, "
                              "'1.0.0', :answers, 'open', :by, :at)"),
                         {"id": id_, "council": council, "reference": reference, "process": process, "ladder": ladder,
                          "answers": json.dumps(answers), "by": by, "at": raised})
        entries = [(1, 1, 0, "head-of-establishment", "head-of-establishment", None, "2026-12-01", None),
                   (2, 2, 0, "head-of-establishment", "head-of-establishment", None, "2026-12-01", "escalate"),
                   (3, 2, 1, "qio", "qio", "Vale of Leven", "2026-12-08", None),
                   (4, 3, 0, "acknowledgement", "head-of-service", None, "2026-11-24", None),
                   (5, 4, 0, "line-manager", "own-line-manager", None, "2026-11-24", None)]
        for id_, case, position, stage, role, scope, due, outcome in entries:
            conn.execute(text("INSERT INTO stage_entry (id, case_id, position, stage, role, scope, entered_at, due_on, "
                              "closed_at, outcome, record) VALUES (:id, :case, :position, :stage, :role, :scope, :at, "
                              ":due, :closed, :outcome, :record)"),
                         {"id": id_, "case": case, "position": position, "stage": stage, "role": role, "scope": scope,
                          "at": raised, "due": due, "closed": raised if outcome else None, "outcome": outcome,
                          "record": json.dumps({"discussed": "Met.", "agreed": "No."}) if outcome else None})
        for id_, case in ((1, 1), (2, 2), (3, 4)):
            conn.execute(text("INSERT INTO audit_event (id, council, user_id, case_id, action, at) "
                              "VALUES (:id, :council, :user, :case, 'viewed', :at)"),
                         {"id": id_, "council": GCC if case == 4 else WDC, "user": 2 if case == 4 else 1,
                          "case": case, "at": raised})
        if at_least(release, "reports1"):
            conn.execute(text("INSERT INTO audit_event (id, council, user_id, case_id, action, at, detail) "
                              "VALUES (4, :wdc, 1, NULL, 'listed', :at, 'case list')"), {"wdc": WDC, "at": raised})
        if at_least(release, "0003"):
            for id_, case, entry, kind, recipient in ((1, 1, None, "acknowledgement", TEACHER),
                                                      (2, 1, 1, "assignment", HEAD)):
                owner = f"entry-{entry}" if entry else f"case-{case}"
                conn.execute(text("INSERT INTO scheduled_notification (id, council, case_id, stage_entry_id, kind, "
                                  "recipient, dedupe_key, send_after, state, attempts, created_at) VALUES (:id, :wdc, "
                                  ":case, :entry, :kind, :to, :key, :at, 'pending', 0, :at)"),
                             {"id": id_, "wdc": WDC, "case": case, "entry": entry, "kind": kind, "to": recipient,
                              "key": f"{owner}/{kind}/{recipient}", "at": raised})
        if engine.dialect.name == "postgresql":  # as if the rows had been added one by one
            for table in ("user", "contact", "case", "stage_entry", "audit_event", "scheduled_notification"):
                if conn.scalar(text(f"SELECT to_regclass('\"{table}\"')")):
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
                                      f'(SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)'))
    engine.dispose()


def audit_ids(url):
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = set(conn.scalars(text("SELECT id FROM audit_event")))
    engine.dispose()
    return ids


@pytest.mark.parametrize("release", RELEASES)
def test_a_database_from_every_release_upgrades_with_nothing_lost(release, empty_database, tmp_path, smtp_sink):
    build_release(empty_database, release, tmp_path)
    fill_as_released(empty_database, release)
    audit_before = audit_ids(empty_database)

    app = app_on(empty_database, MAIL_TRANSPORT="smtp", SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port,
                 BASE_URL="https://concord.example.org")
    with app.app_context():
        upgrade()  # flask db upgrade
        db.session.remove()
    assert audit_ids(empty_database) == audit_before, "the audit log keeps every row"

    client = app.test_client()
    for council, reference, holder in ((WDC, "WDC-2026-0001", HEAD), (WDC, "WDC-2026-0002", QIO),
                                       (WDC, "WDC-2026-0003", HEAD_OF_SERVICE), (GCC, "GCC-2026-0001", LINE_MANAGER)):
        sign_in(client, council, holder, "manager")
        assert client.get(f"/{council}/cases/{reference}").status_code == 200, f"{holder} sees {reference}"
        stage = client.get(f"/{council}/api/cases/{reference}").get_json()["stage"]
        assert holder in [a["email"] for a in stage["assignees"]], f"{holder} holds {reference}'s open stage"

    with app.app_context():
        open_stages = db.session.execute(text("SELECT id, long_overdue_on FROM stage_entry WHERE closed_at IS NULL")).all()
        db.session.remove()
    assert open_stages and all(day is not None for _, day in open_stages), "every open stage can become long overdue"

    drain(app)
    drain(app)
    sent = sorted((m["To"], m["Subject"]) for m in smtp_sink.messages)
    if at_least(release, "0003"):  # the messages pending in the old database, each sent once
        assert sent == [(HEAD, "WDC-2026-0001: a case is with you, due Tuesday 1 December 2026"),
                        (TEACHER, "WDC-2026-0001: received – Raise a disagreement with another agency")]
    else:
        assert sent == []

    sign_in(client, WDC, HEAD, "manager")
    acted = post_action(client, f"/{WDC}/api/cases/WDC-2026-0001/actions",
                        {"action": "escalate", "record": {"discussed": "Met.", "agreed": "No."}})
    assert acted.status_code == 200, acted.get_json()
    assert acted.get_json()["stage"]["slug"] == "qio"
    before = len(smtp_sink.messages)
    drain(app)
    assert [m["To"] for m in smtp_sink.messages[before:]] == [QIO]


def test_failures_marked_reported_that_no_digest_carried_are_in_the_first_digest_after_the_upgrade(
        empty_database, tmp_path, smtp_sink):
    build_release(empty_database, "perf_reports1", tmp_path)
    fill_as_released(empty_database, "perf_reports1")
    admin = "admin@wdc.example.org"
    reported, lost = utc(2026, 11, 23, 7, 0), utc(2026, 11, 23, 8, 1)
    engine = create_engine(empty_database)
    with engine.begin() as conn:
        conn.execute(text('INSERT INTO "user" (id, council, issuer, subject, email, name, roles, session_generation) '
                          "VALUES (3, :wdc, 'dev:westdunbartonshire', :a, :a, 'Admin Demo', :roles, 0)"),
                     {"wdc": WDC, "a": admin, "roles": json.dumps(["council-admin"])})
        rows = [  # (case, kind, recipient, state, reported_at, created_at)
            (1, "outcome", "gone.one@wdc.example.org", "failed", reported, reported),  # in the sent digest
            (None, "failure-digest", admin, "sent", None, reported),
            (2, "outcome", "gone.two@wdc.example.org", "failed", lost, lost),  # marked, in no digest
        ]
        for n, (case, kind, recipient, state, reported_at, created_at) in enumerate(rows):
            conn.execute(text("INSERT INTO scheduled_notification (council, case_id, kind, recipient, dedupe_key, "
                              "send_after, state, attempts, last_error, created_at, reported_at) VALUES (:wdc, "
                              ":case, :kind, :to, :key, :at, :state, 1, 'recipient refused (550)', :at, :reported)"),
                         {"wdc": WDC, "case": case, "kind": kind, "to": recipient, "key": f"old/{n}",
                          "at": created_at, "state": state, "reported": reported_at})
    engine.dispose()

    app = app_on(empty_database, clock=FixedClock(london(2026, 11, 24, 7, 0)), MAIL_TRANSPORT="smtp",
                 SMTP_HOST="127.0.0.1", SMTP_PORT=smtp_sink.port, BASE_URL="https://concord.example.org")
    with app.app_context():
        upgrade()
        db.session.remove()
    drain(app)
    digests = [m for m in smtp_sink.messages if m["To"] == admin and "could not be sent" in m["Subject"]]
    assert len(digests) == 1, [m["Subject"] for m in digests]
    text_ = digests[0].get_body(("plain",)).get_content()
    assert "WDC-2026-0002 (" in text_ and "WDC-2026-0001 (" not in text_


def test_a_downgrade_that_would_delete_audit_rows_refuses_and_keeps_them(empty_database, capfd):
    app = app_on(empty_database)
    with app.app_context():
        upgrade()
        db.session.execute(text('INSERT INTO "user" (id, council, issuer, subject, email, name, session_generation) '
                                "VALUES (1, :wdc, 'dev:x', :t, :t, 'Teacher Demo', 0)"), {"wdc": WDC, "t": TEACHER})
        db.session.execute(text("INSERT INTO audit_event (council, user_id, case_id, action, at, detail) "
                                "VALUES (:wdc, 1, NULL, 'listed', :at, 'case list')"),
                           {"wdc": WDC, "at": utc(2026, 11, 23, 9, 0)})
        db.session.commit()
        db.session.remove()
        with pytest.raises(SystemExit):  # flask db downgrade: "Refusing to downgrade below reports1: …"
            downgrade(revision="deadlines1")
        assert "would delete 1 audit event(s)" in capfd.readouterr().err
        db.session.remove()
        assert db.session.scalar(text("SELECT count(*) FROM audit_event WHERE case_id IS NULL")) == 1
        # Still at or above the refusing migration (later ones may have stepped down before it refused).
        assert db.session.scalar(text("SELECT version_num FROM alembic_version")) not in ORDER
        db.session.remove()
        downgrade(revision="reports1")  # keeps every audit row: allowed
        db.session.remove()
        assert db.session.scalar(text("SELECT count(*) FROM audit_event")) == 1
        db.session.remove()
        db.engine.dispose()


# --- pytest-alembic's checks: one head, every step up and down, the models match what the migrations build ---

from pytest_alembic.tests import (  # noqa: E402
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)

__all__ = ["test_model_definitions_match_ddl", "test_single_head_revision", "test_up_down_consistency", "test_upgrade"]


@pytest.fixture
def alembic_config():
    from pytest_alembic.config import Config

    return Config(config_options={"file": str(MIGRATIONS / "alembic.ini"), "script_location": str(MIGRATIONS)})


@pytest.fixture
def alembic_engine(empty_database):
    """The app's own engine: Concord's env.py migrates the database of the app in context."""
    app = app_on(empty_database)
    with app.app_context():
        yield db.engine
        db.session.remove()
        db.engine.dispose()


def cases_at(url: str, revision: str, stored: dict[int, str], erased: tuple[int, ...] = ()) -> None:
    """The schema at ``revision``, holding the teacher's cases of West Dunbartonshire, open but for those
    ``erased``: case n is WDC-2026-000<n>, with the answers ``stored[n]`` (JSON text, written as it is)."""
    app = app_on(url)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS), revision=revision)
        db.engine.dispose()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text('INSERT INTO "user" (id, council, issuer, subject, email, name) VALUES '
                          "(1, :wdc, 'dev:westdunbartonshire', :teacher, :teacher, 'Teacher Demo')"),
                     {"wdc": WDC, "teacher": TEACHER})
        for id_, answers in stored.items():
            conn.execute(text('INSERT INTO "case" (id, council, reference, process, ladder, plugin_version, answers, '
                              "status, raised_by_id, raised_at, erased_at) VALUES (:id, :wdc, :reference, 'escalation', "
                              "'education', '1.0.0', :answers, :status, 1, :at, :erased)"),
                         {"id": id_, "wdc": WDC, "reference": f"WDC-2026-000{id_}", "answers": answers,
                          "status": "closed" if id_ in erased else "open", "at": utc(2026, 11, 23, 9, 0),
                          "erased": utc(2026, 11, 24, 9, 0) if id_ in erased else None})
    engine.dispose()


def test_answers_jsonb_would_refuse_are_stored_as_pages_showed_them_and_every_case_comes_through(empty_database):
    """JSON text kept ``\\u0000`` and lone surrogates, which answers stored before Concord refused them may
    hold; JSONB refuses both, so the cast to JSONB (scale4_list_plans) would have failed the whole upgrade.
    They are stored as U+FFFD, as pages showed them, on both databases; a valid pair (an emoji), other
    escaped letters and a backslash typed before a "u" are kept as they were."""
    stored = {1: '{"reasons": "lone \\ud800 and nul \\u0000.", "emoji": "\\ud83d\\ude00", '
                 '"path": "C:\\\\u0000dir", "word": "caf\\u00e9"}',
              2: '{"reasons": "Nothing odd."}'}
    cases_at(empty_database, "scale3_offer_case", stored)
    app = app_on(empty_database)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        answers = {case.id: case.answers for case in db.session.scalars(select(Case))}
        db.engine.dispose()
    assert answers == {1: {"reasons": "lone \ufffd and nul \ufffd.", "emoji": "\U0001f600", "path": "C:\\u0000dir",
                           "word": "caf\u00e9"},
                       2: {"reasons": "Nothing odd."}}


def test_a_new_database_is_not_analysed_as_empty_by_the_upgrade(empty_database):
    """scale4_list_plans analyses the cases for its new statistics only where there are cases. Analysed
    empty, the table's statistics said "no cases" and the statements gunicorn's workers prepared then kept
    scanning it as it grew: the submission bench's PostgreSQL CPU a request rose from 1.0 to 3.7 ms
    within seconds, until autovacuum analysed it again."""
    app = app_on(empty_database)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        if db.engine.dialect.name != "postgresql":
            pytest.skip("PostgreSQL's statistics")
        analysed = db.session.scalar(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'case'"))
        db.engine.dispose()
    assert analysed == 0


def test_cases_raised_before_areas_had_a_column_are_found_by_their_area_after_the_upgrade(empty_database, clock):
    """scale7_case_areas fills ``case.areas`` from each case's answers and its council's area names, in SQL,
    as a case raised now gets it in Python (core/model/areas.py): the two agree, whatever the answers hold.
    Without the filling, the area filter found none of the cases stored before the upgrade."""
    from core.model import areas

    stored = {1: {"learning_community": "Vale of Leven", "health_service": "Health Visiting", "reasons": "x"},
              2: {"learning_community": "Clydebank High"},
              3: {"learning_community": "", "health_service": None},
              4: {"learning_community": "100% _odd_ o'name \u00e9"},
              5: {"reasons": "A conference dissent has no area."},
              6: {"learning_community": "Vale of Leven"}}  # erased: no areas
    cases_at(empty_database, "scale6_case_search", {id_: json.dumps(answers) for id_, answers in stored.items()},
             erased=(6,))
    app = app_on(empty_database, clock)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        filled = {case.id: case.areas for case in db.session.scalars(select(Case))}
        council = app.extensions["concord"].councils[WDC]
        db.engine.dispose()
    expected = {id_: areas.tags(council.areas, answers) for id_, answers in stored.items()}
    expected[6] = None
    assert filled == expected
    assert filled[1] == "\x1fhealth_service=Health Visiting\x1flearning_community=Vale of Leven\x1f"

    client = app.test_client()
    sign_in(client, WDC, TEACHER)  # who raised them
    found = client.get(f"/{WDC}/api/cases?area=learning_community:Vale%20of%20Leven").get_json()
    assert [c["reference"] for c in found["cases"]] == ["WDC-2026-0001"]
    with app.app_context():
        db.engine.dispose()
