"""Every hook of ``core/hookspecs.py``, driven from outside core the way a council plugin would: an
object with ``@hookimpl`` methods, registered with ``make_app(PLUGINS=[...])``. One test per hook,
named ``test_hook_<hook>`` (``tests/test_plugin_hooks_have_tests.py`` requires it)."""

import dataclasses

import click
import pytest
from flask import Blueprint
from sqlalchemy import select

from core.model.records import DevMail, ScheduledNotification, db
from core.plugin import (
    CaseView,
    Council,
    DirectoryEntry,
    Holder,
    Message,
    PermanentFailure,
    StageView,
    hookimpl,
)
from core.runtime import concord
from core.testing import act, drain, raise_case, sign_in
from core.testing_council import CONTACTS, TESTSHIRE
from core.testing_council import plugin as testshire

ANSWERS = {"ward": "North", "what": "A decision I disagree with"}


class SmartCard:
    name = "Sign in with your Testshire smart card"
    endpoint = "council.council_home"

    def available(self, council):
        return council.slug == "testshire"


class TestshireExtras:
    def __init__(self, folder):
        self.folder = folder
        self.changes = []

    @hookimpl
    def concord_template_folders(self):
        return [str(self.folder)]

    @hookimpl
    def concord_email_template(self, council, kind):
        return "email/testshire_acknowledgement" if (council.slug, kind) == ("testshire", "acknowledgement") else None

    @hookimpl
    def concord_register_sign_in_methods(self, app):
        return [SmartCard()]

    @hookimpl
    def concord_case_changed(self, council, case, change, entry):
        self.changes.append((council.slug, case, change, entry))


@pytest.fixture
def extras(tmp_path):
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "testshire_acknowledgement.txt").write_text("Testshire has {{ reference }}. Thank you.")
    (tmp_path / "email" / "testshire_acknowledgement.html").write_text("<p>Testshire has {{ reference }}.</p>")
    return TestshireExtras(tmp_path)


def test_hook_concord_register_councils(make_app):
    """A council contributed by a plugin's own hook (not ``CouncilPlugin``) is served and takes cases."""
    fenshire = dataclasses.replace(TESTSHIRE, slug="fenshire", name="Fenshire Council", reference_prefix="FEN")

    class Fenshire:
        @hookimpl
        def concord_register_councils(self):
            return [fenshire]

        @hookimpl
        def concord_demo_directory(self, council):
            return CONTACTS if council.slug == "fenshire" else None

    client = make_app(PLUGINS=[Fenshire()]).test_client()
    assert {"slug": "fenshire", "name": "Fenshire Council", "nation": "ENG"} in client.get("/api/councils").get_json()
    case = raise_case(client, "fenshire", "disagreement", ANSWERS)
    assert case["reference"].startswith("FEN-")


def test_hook_concord_register_roles(make_app):
    """A role a plugin registers can be signed in with and is named in the page header."""

    class Chairs:
        @hookimpl
        def concord_register_roles(self):
            return [("independent-chair", "Independent chair")]

    plain = make_app(PLUGINS=[testshire]).test_client()
    refused = plain.post("/testshire/api/dev/session", json={"email": "chair@testshire.example.org",
                                                             "role": "independent-chair"})
    assert refused.status_code == 400

    app = make_app(PLUGINS=[testshire, Chairs()])
    assert concord(app).roles["independent-chair"] == "Independent chair"
    client = app.test_client()
    sign_in(client, "testshire", "chair@testshire.example.org", "independent-chair")
    assert "(Independent chair)" in client.get("/testshire/").get_data(as_text=True)


def test_hook_concord_template_folders(make_app, tmp_path):
    """A page template of the same name in a plugin's folder is used instead of core's."""
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "help.html").write_text("<p>Call the Testshire helpdesk on 01632 960000.</p>")

    class Wording:
        @hookimpl
        def concord_template_folders(self):
            return [str(tmp_path)]

    client = make_app(PLUGINS=[testshire, Wording()]).test_client()
    assert client.get("/help").get_data(as_text=True) == "<p>Call the Testshire helpdesk on 01632 960000.</p>"
    assert "Testshire helpdesk" not in make_app(PLUGINS=[testshire]).test_client().get("/help").get_data(as_text=True)


def test_hook_concord_init_app(make_app):
    """A plugin adds a blueprint and a command to the app being created, which already knows its councils."""
    seen = []

    class Wiring:
        @hookimpl
        def concord_init_app(self, app):
            seen.append(sorted(concord(app).councils))
            extra = Blueprint("testshire_extras", __name__)
            extra.add_url_rule("/testshire-extras/ping", "ping", lambda: "pong")
            app.register_blueprint(extra)

            @app.cli.command("testshire-councils")
            def councils():
                click.echo(", ".join(concord(app).councils))

    app = make_app(PLUGINS=[testshire, Wiring()])
    assert "testshire" in seen[0]
    assert app.test_client().get("/testshire-extras/ping").get_data(as_text=True) == "pong"
    assert "testshire" in app.test_cli_runner().invoke(args=["testshire-councils"]).output


def test_hook_concord_register_sign_in_methods(make_app, extras):
    """A plugin's way to sign in is offered only on the sign-in page of councils where it is available."""
    client = make_app(PLUGINS=[testshire, extras]).test_client()
    assert "Sign in with your Testshire smart card" in client.get("/testshire/sign-in").get_data(as_text=True)
    assert "smart card" not in client.get("/westdunbartonshire/sign-in").get_data(as_text=True)


def test_hook_concord_demo_directory(make_app):
    """The demo directory a plugin returns for its council is who a new case's first rung is offered to."""
    people = [DirectoryEntry("warden", "Nia North", "nia.north@testshire.example.org", "North"),
              DirectoryEntry("elder", "Eli Elder", "eli.elder@testshire.example.org")]

    class Testshire:
        @hookimpl
        def concord_register_councils(self):
            return [TESTSHIRE]

        @hookimpl
        def concord_demo_directory(self, council: Council):
            return people if council.slug == "testshire" else None

    client = make_app(PLUGINS=[Testshire()]).test_client()
    case = raise_case(client, "testshire", "disagreement", ANSWERS)
    assert case["stage"]["assignees"] == [{"name": "Nia North", "email": "nia.north@testshire.example.org"}]


def test_hook_concord_case_changed(make_app, extras):
    """A plugin hears every change of a case, in order, as frozen views: never the database rows."""
    client = make_app(PLUGINS=[testshire, extras]).test_client()
    reference = raise_case(client, "testshire", "disagreement", ANSWERS)["reference"]
    sign_in(client, "testshire", "north.warden@testshire.example.org", "manager")
    entry = client.get(f"/testshire/api/cases/{reference}").get_json()["stage"]["entry"]
    taken = client.post(f"/testshire/api/cases/{reference}/take", json={"entry": entry})
    assert taken.status_code == 200, taken.get_json()
    act(client, "testshire", reference, "escalate", {"notes": "Could not agree"})
    act(client, "testshire", reference, "resolved", {"notes": "Agreed"}, by="elder@testshire.example.org")

    heard = [(change, entry.stage if entry else None) for _, _, change, entry in extras.changes]
    assert heard == [
        ("opened", None),
        ("stage-entered", "first"),
        ("stage-assigned", "first"),
        ("stage-closed", "first"),
        ("stage-entered", "second"),
        ("stage-closed", "second"),
        ("closed", "second"),
    ]
    assert all(isinstance(case, CaseView) for _, case, _, _ in extras.changes)
    assert all(isinstance(entry, StageView) for _, _, _, entry in extras.changes if entry is not None)
    assert {council for council, _, _, _ in extras.changes} == {"testshire"}
    # The reference is the case's own, already when it is opened.
    assert {case.reference for _, case, _, _ in extras.changes} == {reference}

    opened = extras.changes[0][1]
    assert (opened.process, opened.ladder, opened.status, opened.current.stage) == ("disagreement", "only", "open", "first")
    assert not hasattr(opened, "answers"), "no child's answers reach a plugin"
    assigned = extras.changes[2][3]
    assert assigned.holder == Holder("North Warden", "north.warden@testshire.example.org")
    closed = extras.changes[-1][1]
    assert (closed.status, closed.outcome, closed.current) == ("closed", "resolved", None)
    assert closed.closed_at is not None and extras.changes[-1][3].outcome == "resolved"
    with pytest.raises(dataclasses.FrozenInstanceError):
        closed.status = "open"


def test_hook_concord_register_transports(make_app):
    """The transport a plugin registers, chosen by ``MAIL_TRANSPORT``, sends the outbox's messages;
    a ``PermanentFailure`` it raises fails that message at once."""
    sent: list[Message] = []

    class CouncilRelay:
        def __init__(self, config):
            self.refused = config["RELAY_REFUSES"]

        def send(self, message: Message) -> None:
            if message.to == self.refused:
                raise PermanentFailure(f"550 no such mailbox: {message.to}")
            sent.append(message)

    class Relay:
        @hookimpl
        def concord_register_transports(self):
            return [("council-relay", CouncilRelay)]

    app = make_app(PLUGINS=[testshire, Relay()], MAIL_TRANSPORT="council-relay",
                   RELAY_REFUSES="practitioner@testshire.example.org")
    reference = raise_case(app.test_client(), "testshire", "disagreement", ANSWERS)["reference"]
    drain(app)
    assert [(m.kind, m.to, m.council) for m in sent] == [
        ("assignment", "north.warden@testshire.example.org", "testshire")]
    assert sent[0].subject.startswith(reference)
    with app.app_context():
        refused = db.session.scalars(select(ScheduledNotification).where(ScheduledNotification.kind == "acknowledgement")).one()
        assert (refused.state, refused.last_error) == ("failed", "550 no such mailbox: practitioner@testshire.example.org")
        assert db.session.scalars(select(DevMail)).all() == [], "nothing went to the development outbox"


def test_hook_concord_email_template(make_app, extras):
    """A council words one kind of email its own way; the other kinds keep core's wording."""
    app = make_app(PLUGINS=[testshire, extras])
    client = app.test_client()
    reference = raise_case(client, "testshire", "disagreement", ANSWERS)["reference"]
    drain(app)
    with app.app_context():
        mail = {m.recipient: m for m in db.session.scalars(select(DevMail))}
    assert mail["practitioner@testshire.example.org"].text == f"Testshire has {reference}. Thank you."
    assert "Testshire has" not in mail["north.warden@testshire.example.org"].text
