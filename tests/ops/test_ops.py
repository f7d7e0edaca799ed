"""What the council's IT team watches: health, readiness, Prometheus metrics and JSON logs."""
import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from core.model.records import db
from core.testing import free_port, london, sign_in

ROOT = Path(__file__).parents[2]
WDC = "westdunbartonshire"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern", "tried": "Phoned the worker"}


def test_healthz_says_the_process_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_checks_database_broker_migrations_and_sessions(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["checks"] == {"database": "ok", "migrations": "ok",
                                             "broker": "ok (in-process stub broker)", "sessions": "ok (files)"}


def test_readyz_is_503_naming_the_broker_when_the_broker_does_not_answer(make_app):
    app = make_app(BROKER_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failed"] == ["broker"] and body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("failed: ")


def test_readyz_is_503_when_the_database_is_behind_the_migrations(app):
    with app.app_context():
        current = db.session.scalar(text("SELECT version_num FROM alembic_version"))
        db.session.execute(text("UPDATE alembic_version SET version_num = '0002'"))
        db.session.commit()
    try:
        response = app.test_client().get("/readyz")
    finally:
        with app.app_context():
            db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
            db.session.commit()
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["migrations"]
    assert "database at ['0002']" not in response.get_json()["checks"]["migrations"], "no detail leaks out"


def test_metrics_are_off_unless_switched_on(client):
    assert client.get("/metrics").status_code == 404


def test_metrics_count_requests_outbox_and_overdue_stages_per_council(make_app, clock):
    app = make_app(METRICS=True)
    client = app.test_client()
    clock.set(london(2026, 11, 23, 9, 0))
    sign_in(client, WDC, "teacher.metrics@wdc.example.org")
    assert client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS}).status_code == 201
    client.get("/healthz")
    clock.set(london(2026, 12, 3, 9, 0))  # due Tuesday 1 December: now overdue
    body = client.get("/metrics").get_data(as_text=True)
    assert 'concord_http_requests_total{endpoint="ops.healthz",method="GET",status="200"}' in body
    # acknowledgement, assignment, reminder, due today, overdue x3, long overdue to the leads and the raiser
    assert 'concord_outbox_messages{council="westdunbartonshire",state="pending"} 9.0' in body
    assert 'concord_outbox_messages{council="leeds",state="pending"} 0.0' in body
    assert 'concord_outbox_retrying{council="westdunbartonshire"} 0.0' in body
    assert 'concord_overdue_stages{council="westdunbartonshire"} 1.0' in body
    assert 'concord_overdue_stages{council="leeds"} 0.0' in body


def test_metrics_with_a_token_need_it(make_app):
    client = make_app(METRICS_TOKEN="scrape-token-example").test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer scrape-token-example"}).status_code == 200


def test_json_logs_are_one_object_a_line_with_codes_and_passwords_redacted(tmp_path):
    script = ("from core.app import create_app\n"
              "app = create_app()\n"
              "app.logger.warning('callback /wdc/auth/callback?code=SECRETCODE&state=SECRETSTATE')\n"
              "app.logger.warning('broker amqp://concord:BROKERPASS@queue:5672 down')\n")
    env = {"PATH": "/usr/bin:/bin", "CONCORD_LOG_FORMAT": "json", "CONCORD_INSTANCE": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [line["message"] for line in lines] == [
        "callback /wdc/auth/callback?code=[redacted]&state=[redacted]",
        "broker amqp://concord:[redacted]@queue:5672 down"]
    assert {line["level"] for line in lines} == {"WARNING"} and all("asctime" in line for line in lines)
