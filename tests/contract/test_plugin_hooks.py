"""The hooks a council plugin may add beyond its council and directory work from outside core:
its own email wording (concord_template_folders + concord_email_template), its own way to sign in
(concord_register_sign_in_methods) and its own reaction to case changes (concord_case_changed)."""

import pytest
from sqlalchemy import select

from core.model.records import DevMail, db
from core.plugin import hookimpl
from core.testing import act, drain, raise_case
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
        self.changes.append((case.reference, change, entry.stage if entry is not None else None))


@pytest.fixture
def extras(tmp_path):
    (tmp_path / "email").mkdir()
    (tmp_path / "email" / "testshire_acknowledgement.txt").write_text("Testshire has {{ reference }}. Thank you.")
    (tmp_path / "email" / "testshire_acknowledgement.html").write_text("<p>Testshire has {{ reference }}.</p>")
    return TestshireExtras(tmp_path)


def test_a_council_words_its_own_acknowledgement(make_app, extras):
    app = make_app(PLUGINS=[testshire, extras])
    client = app.test_client()
    reference = raise_case(client, "testshire", "disagreement", ANSWERS)["reference"]
    drain(app)
    with app.app_context():
        mail = {m.recipient: m for m in db.session.scalars(select(DevMail))}
    assert mail["practitioner@testshire.example.org"].text == f"Testshire has {reference}. Thank you."
    # Other kinds keep core's wording.
    assert "Testshire has" not in mail["north.warden@testshire.example.org"].text


def test_a_plugin_sign_in_method_is_offered_only_where_it_is_available(make_app, extras):
    client = make_app(PLUGINS=[testshire, extras]).test_client()
    assert "Sign in with your Testshire smart card" in client.get("/testshire/sign-in").get_data(as_text=True)
    assert "smart card" not in client.get("/westdunbartonshire/sign-in").get_data(as_text=True)


def test_a_plugin_hears_every_change_of_a_case_in_order(make_app, extras):
    client = make_app(PLUGINS=[testshire, extras]).test_client()
    reference = raise_case(client, "testshire", "disagreement", ANSWERS)["reference"]
    act(client, "testshire", reference, "escalate", {"notes": "Could not agree"})
    act(client, "testshire", reference, "resolved", {"notes": "Agreed"}, by="elder@testshire.example.org")
    assert extras.changes == [
        (reference, "opened", None),
        (reference, "stage-entered", "first"),
        (reference, "stage-closed", "first"),
        (reference, "stage-entered", "second"),
        (reference, "stage-closed", "second"),
        (reference, "closed", "second"),
    ]
