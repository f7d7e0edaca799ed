"""Degraded, not broken: with the session store down, signed-in pages say the service is unavailable and that
nothing was saved (503, one log line, no traceback), and /readyz names the session store."""
import logging

import pytest
import redis

from core.testing import free_port, require_service, sign_in

WDC = "westdunbartonshire"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Referral closed", "disagreement": "Concern", "tried": "Phoned the worker"}


@pytest.fixture
def redis_sessions_app(make_app):
    require_service("Redis", "127.0.0.1", 6379)
    # As in production: an error becomes a page, not an exception for the test client.
    app = make_app(SESSION_REDIS_URL="redis://127.0.0.1:6379/14", PROPAGATE_EXCEPTIONS=False)
    app.logger.propagate = True  # caplog reads the app's records
    return app


def session_store_goes_down(app):
    app.session_interface.client = redis.Redis(port=free_port(), socket_connect_timeout=1)


def test_signed_in_pages_answer_503_saying_nothing_was_saved_when_the_session_store_is_down(
        redis_sessions_app, caplog):
    app = redis_sessions_app
    client = app.test_client()
    sign_in(client, WDC, "teacher.degraded@wdc.example.org")
    assert client.get(f"/{WDC}/cases/").status_code == 200
    session_store_goes_down(app)

    caplog.clear()
    with caplog.at_level(logging.INFO):
        page = client.get(f"/{WDC}/cases/")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in html
    assert "nothing" in html.lower() and "saved" in html
    assert page.headers.get("Retry-After")
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is None, "one line naming the outage, not a traceback"
    assert "session store" in errors[0].getMessage()


def test_a_form_posted_while_the_session_store_is_down_is_503_and_nothing_is_saved(redis_sessions_app):
    from core.model.records import Case, db

    app = redis_sessions_app
    client = app.test_client()
    sign_in(client, WDC, "teacher.degraded@wdc.example.org")
    session_store_goes_down(app)
    response = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    assert response.status_code == 503
    assert "nothing" in response.get_json()["error"].lower()
    with app.app_context():
        assert db.session.query(Case).count() == 0


def test_readyz_names_the_session_store_when_it_does_not_answer(redis_sessions_app):
    app = redis_sessions_app
    assert app.test_client().get("/readyz").get_json()["checks"]["sessions"] == "ok"
    session_store_goes_down(app)
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failed"] == ["sessions"]


def test_a_session_store_failing_after_the_request_saved_something_does_not_say_nothing_was_saved(make_app):
    from core.model.records import db

    require_service("Redis", "127.0.0.1", 6379)
    app = make_app(SESSION_REDIS_URL="redis://127.0.0.1:6379/14", PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/saves-then-remembers")
    def saves_then_remembers():
        from flask import session
        from sqlalchemy import text

        db.session.execute(text("SELECT 1"))
        db.session.commit()  # something saved
        session["remembered"] = True  # written to the store after the view: it fails there
        return "done"

    client = app.test_client()
    session_store_goes_down(app)
    page = client.get("/test-only/saves-then-remembers")
    assert page.status_code == 503
    assert "may have been saved" in page.get_data(as_text=True)
