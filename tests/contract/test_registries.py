"""A new kind of question and a new kind of deadline, added by a plugin with no change to core (#22, registries).

Postshire's monthly panel asks for the child's home postcode and meets at the end of each month: a plugin
of its own registers a ``postcode`` field type and an ``EndOfMonth`` deadline kind through
``concord_register_field_types`` and ``concord_register_deadline_kinds``. The council then uses them like
core's own: the form checks the postcode, the case page and the CSV show it, the API describes it, and the
stage is due on the last working day of the month.
"""
from __future__ import annotations

import csv
import io
import re
from calendar import monthrange
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

import pytest
from govuk_frontend_wtf.wtforms_widgets import GovTextInput
from wtforms import StringField, validators

from core.plugin import (
    Calendar,
    Council,
    CouncilPlugin,
    DirectoryEntry,
    Field,
    FieldType,
    InvalidCouncil,
    Ladder,
    Process,
    Role,
    Stage,
    hookimpl,
    resolve,
)
from core.testing import on, sign_in

# --- the extension plugin: a postcode question and an end-of-month deadline ------------------------

POSTCODE = r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$"


def royal_mail(value):
    """A postcode as Royal Mail writes it: capitals, one space before the last three characters."""
    if not isinstance(value, str):
        return value
    packed = re.sub(r"\s+", "", value).upper()
    return f"{packed[:-3]} {packed[-3:]}" if len(packed) > 3 else packed


class Postcode(FieldType):
    """A UK postcode, checked and written the Royal Mail way, however it was typed."""

    name = "postcode"
    description = "a UK postcode, like SW1A 1AA"

    def form_field(self, spec, checks, **kwargs):
        checks.append(validators.Regexp(POSTCODE, message=f"Enter {spec.label.lower()} like SW1A 1AA"))
        kwargs["filters"] = [*kwargs.get("filters", ()), royal_mail]
        return StringField(widget=GovTextInput(), validators=checks, **kwargs)

    def schema(self, spec):
        return {"type": "string", "pattern": "^[A-Za-z]{1,2}[0-9][A-Za-z0-9]? *[0-9][A-Za-z]{2}$",
                "description": "A UK postcode"}

    def example(self, spec, day):
        return "SW1A 1AA"


@dataclass(frozen=True)
class EndOfMonth:
    """Due on the last working day of the month the case reaches the stage: the panel sits then."""

    since: str = "the case reaching the panel"
    to_confirm: bool = False

    @property
    def counts_from(self):
        return None

    @property
    def meeting(self):
        return None

    def due_on(self, start: date, calendar: Calendar, meetings: Collection[date] = ()) -> date:
        last = date(start.year, start.month, monthrange(start.year, start.month)[1])
        return last if calendar.is_working_day(last) else calendar.previous(last)

    def describe(self) -> str:
        return f"by the last working day of the month of {self.since}"


class MonthlyPanels:
    @hookimpl
    def concord_register_field_types(self):
        return [Postcode]

    @hookimpl
    def concord_register_deadline_kinds(self):
        return [EndOfMonth]


# --- the council using them -------------------------------------------------------------------------

PANEL = Role("panel", "Monthly Panel Chair")
POSTSHIRE = Council(
    slug="postshire",
    name="Postshire Council",
    nation="ENG",
    reference_prefix="PST",
    immediate_risk="phone the Postshire front door today.",
    processes=(
        Process(
            slug="disagreement",
            title="Raise a disagreement",
            summary="Testing.",
            intake=(
                Field("postcode", "The child's home postcode", "postcode"),
                Field("what", "What happened", "textarea"),
            ),
            ladders=(
                Ladder("only", "The panel", stages=(
                    Stage("panel", "Monthly panel", PANEL, EndOfMonth(), (Field("notes", "Notes", "textarea"),),
                          (resolve(),)),
                )),
            ),
        ),
    ),
)
postshire = CouncilPlugin(POSTSHIRE, contacts=[DirectoryEntry("panel", "Pat Panel", "pat.panel@postshire.example.org")])
NEW = "/postshire/cases/new/disagreement"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


@pytest.fixture
def client(make_app, clock):
    on(clock, "2027-01-11")  # January 2027 ends on a Sunday
    app = make_app(PLUGINS=[MonthlyPanels(), postshire])
    client = app.test_client()
    sign_in(client, "postshire", "teacher@postshire.example.org")
    return client


def raise_through_the_form(client, postcode: str):
    page = client.get(NEW).get_data(as_text=True)
    return client.post(NEW, data={"csrf_token": csrf(page), "postcode": postcode, "what": "A decision"})


def test_the_form_refuses_a_postcode_that_is_not_one(client):
    refused = raise_through_the_form(client, "not a postcode")
    assert refused.status_code != 303
    assert "Enter the child&#39;s home postcode like SW1A 1AA" in refused.get_data(as_text=True)


def test_hook_concord_register_field_types(client):
    """The type a plugin registers asks its question on the form, and its own rule keeps the answer."""
    page = client.get(NEW).get_data(as_text=True)
    assert "The child&#39;s home postcode" in page
    kept = raise_through_the_form(client, "sw1a 1aa")
    assert kept.status_code == 303
    assert "SW1A 1AA" in client.get(kept.headers["Location"]).get_data(as_text=True)


def test_hook_concord_register_deadline_kinds(client):
    """The kind a plugin registers dates the stage: the month's last working day, in its own words."""
    raise_and_confirm(client, "SW1A 1AA")
    stage = client.get("/postshire/api/cases/PST-2027-0001").get_json()["stage"]
    assert stage["due_on"] == "2027-01-29"
    assert "by the last working day of the month of the case reaching the panel" in client.get(
        "/postshire/cases/PST-2027-0001").get_data(as_text=True)


def raise_and_confirm(client, postcode: str):
    posted = raise_through_the_form(client, postcode)
    check = client.get(posted.headers["Location"]).get_data(as_text=True)
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check))
    return client.post(f"{NEW}/check", data={**fields, "confirmed": "yes"})


def test_a_case_raised_with_the_new_question_and_deadline_end_to_end(client):
    posted = raise_through_the_form(client, "  sw1a1aa ")
    assert posted.status_code == 303
    check = client.get(posted.headers["Location"]).get_data(as_text=True)
    assert "SW1A 1AA" in check, "written the Royal Mail way before it is checked and kept"
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', check))
    raised = client.post(f"{NEW}/check", data={**fields, "confirmed": "yes"})
    assert raised.headers["Location"] == "/postshire/cases/PST-2027-0001/raised"

    page = client.get("/postshire/cases/PST-2027-0001").get_data(as_text=True)
    assert "SW1A 1AA" in page
    # Sunday 31 January is no working day: the panel's deadline is the Friday before, in its own words.
    assert "Friday 29 January 2027" in page
    assert "by the last working day of the month of the case reaching the panel" in page

    api = client.get("/postshire/api/cases/PST-2027-0001").get_json()
    assert api["answers"]["postcode"] == "SW1A 1AA" and api["stage"]["due_on"] == "2027-01-29"

    sign_in(client, "postshire", "lead@postshire.example.org", "safeguarding-lead")
    export = client.get("/postshire/cases/export.csv?free_text=yes").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export)))
    assert [(r["The child's home postcode"], r["Due on"]) for r in rows] == [("SW1A 1AA", "2027-01-29")]


def test_the_api_describes_the_new_question_and_checks_it_the_same_way(client):
    described = client.get("/postshire/api/processes").get_json()[0]
    postcode = next(f for f in described["fields"] if f["name"] == "postcode")
    assert (postcode["type"], postcode["max_length"], postcode["choices"]) == ("postcode", 200, [])
    assert described["ladders"][0]["stages"][0]["deadline"] == "by the last working day of the month of the case reaching the panel"

    doc = client.get("/api/openapi.json").get_json()
    answer = doc["components"]["schemas"]["postshire.disagreement.answers"]["properties"]["postcode"]
    assert answer["title"] == "The child's home postcode" and answer["pattern"].startswith("^[A-Za-z]")
    processes = doc["paths"]["/{council}/api/processes"]["get"]["responses"]["200"]["content"]["application/json"]
    kinds = processes["schema"]["items"]["properties"]["fields"]["items"]["properties"]["type"]
    assert "postcode" in kinds["enum"] and "postcode: a UK postcode, like SW1A 1AA" in kinds["description"]

    refused = client.post("/postshire/api/cases", json={"process": "disagreement",
                                                       "answers": {"postcode": "12345", "what": "A decision"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"]["postcode"] == ["Enter the child's home postcode like SW1A 1AA"]


def test_the_dry_run_makes_up_an_answer_of_the_new_type(client):
    from core.reads.dry_run import example_answers

    with client.application.app_context():
        answers = example_answers(POSTSHIRE.process("disagreement"), date(2027, 1, 11))
    assert answers == {"postcode": "SW1A 1AA", "what": "Dry run"}


def test_without_the_extension_plugin_the_council_is_refused_by_name(make_app):
    with pytest.raises(InvalidCouncil) as refused:
        make_app(PLUGINS=[postshire])
    message = str(refused.value)
    assert "council 'postshire' cannot be installed" in message
    assert "field 'postcode' is of type 'postcode', which no installed plugin registers" in message
    assert "stage 'panel': the deadline is of kind EndOfMonth, which no installed plugin registers" in message
