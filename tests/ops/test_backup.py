"""Backing up and restoring, as the README's production page says: pg_dump, then pg_restore into a new database.

Needs PostgreSQL and its client programs. Without pg_dump/pg_restore the test is skipped, except under
CONCORD_REQUIRE_SERVICES=1 (CI), where a machine that runs PostgreSQL must also be able to back it up.
"""
import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text

from core.testing import CLOSING, POSTGRES_ADMIN_URL, sign_in

pytestmark = pytest.mark.services
WDC = "westdunbartonshire"
TEACHER = "teacher.backup@wdc.example.org"
LEAD = "lead.backup@wdc.example.org"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern about the decision", "tried": "Phoned the worker"}


def libpq_url(sqlalchemy_url: str) -> str:
    return sqlalchemy_url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def restored_database():
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"concord_restored_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_cases_survive_pg_dump_and_pg_restore_into_a_new_database(make_app, database_url, tmp_path, request):
    if database_url.startswith("sqlite"):
        pytest.skip("pg_dump backs up PostgreSQL; the embedded SQLite database is a file to copy")
    restored_database_url = request.getfixturevalue("restored_database")
    tools = {name: shutil.which(name) for name in ("pg_dump", "pg_restore")}
    if not all(tools.values()):
        message = "pg_dump and pg_restore are not installed (apt-get install postgresql-client)"
        if os.environ.get("CONCORD_REQUIRE_SERVICES") == "1":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    app = make_app()
    client = app.test_client()
    sign_in(client, WDC, TEACHER)
    references = [client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
                  .get_json()["reference"] for _ in range(2)]
    sign_in(client, WDC, LEAD, "safeguarding-lead")
    entry = client.get(f"/{WDC}/api/cases/{references[0]}").get_json()["stage"]["entry"]
    client.post(f"/{WDC}/api/cases/{references[0]}/actions", json={
        "action": "resolved", "entry": entry, "record": {"discussed": "Met.", "agreed": "Fresh referral.", **CLOSING}})
    before = {ref: client.get(f"/{WDC}/api/cases/{ref}").get_json() for ref in references}
    assert before[references[0]]["status"] == "closed"

    dump = tmp_path / "concord.dump"
    subprocess.run([tools["pg_dump"], "--format=custom", "--no-owner", f"--file={dump}",
                    libpq_url(database_url)], check=True, capture_output=True, timeout=120)
    subprocess.run([tools["pg_restore"], "--no-owner", "--exit-on-error", f"--dbname={libpq_url(restored_database_url)}",
                    str(dump)], check=True, capture_output=True, timeout=120)

    restored = make_app(keep_data=True, SQLALCHEMY_DATABASE_URI=restored_database_url).test_client()
    sign_in(restored, WDC, LEAD, "safeguarding-lead")
    after = {ref: restored.get(f"/{WDC}/api/cases/{ref}").get_json() for ref in references}
    assert after == before
    page = restored.get(f"/{WDC}/cases/{references[1]}").get_data(as_text=True)
    assert "Concern about the decision" in page
    sign_in(restored, WDC, TEACHER)
    following = restored.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).get_json()
    assert following["reference"].endswith("-0003"), "reference numbers carry on from the backup"
