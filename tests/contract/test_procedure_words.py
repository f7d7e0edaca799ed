"""Every council's procedure, read as a user reads it: deadlines say what they
count, conditional questions are described, questions have GOV.UK error words,
and dates of past events refuse the future."""
import re

import pytest

from core.app import create_app
from core.hookspecs import hookimpl
from core.model.deadlines import WorkingDays
from core.model.procedures import Council, DirectoryEntry, Field, Ladder, Process, Role, Stage, escalate, resolve
from core.testing import CLOSING, london, post_action, sign_in

APP = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "words-" * 8})
COUNCILS = list(APP.extensions["concord"].councils.values())
STAGES = [
    pytest.param(council, process, ladder, stage, id=f"{council.slug}/{process.slug}/{ladder.slug}/{stage.slug}")
    for council in COUNCILS for process in council.processes for ladder in process.ladders for stage in ladder.stages
]
FIELDS = [
    pytest.param(council, spec, id=f"{council.slug}/{process.slug}/{where}/{spec.name}")
    for council in COUNCILS for process in council.processes
    for where, specs in [("intake", process.intake)] + [
        (s.slug, s.record) for ladder in process.ladders for s in ladder.stages]
    for spec in specs
]


@pytest.mark.parametrize("council, process, ladder, stage", STAGES)
def test_every_deadline_names_its_days_and_what_they_count_from(council, process, ladder, stage):
    words = stage.deadline.describe()
    assert re.search(r"\b(working days?|calendar days?|next meeting)\b", words), words
    assert re.search(r"\b(of|after|as) the \w+", words), words


@pytest.mark.parametrize("council, spec", FIELDS)
def test_a_question_has_its_own_error_words(council, spec):
    if spec.label.rstrip().endswith("?") and spec.required:
        assert spec.error, f"{spec.name}: 'Select {spec.label}' does not read; give Field(error=...)"
        assert not spec.error.endswith("?")


@pytest.mark.parametrize("council, spec", FIELDS)
def test_every_date_is_of_a_past_event(council, spec):
    if spec.type == "date":
        assert spec.past, f"{spec.name}: a date of something that happened refuses the future"


def test_the_api_describes_every_conditional_field_and_every_deadline_in_words(make_app):
    client = make_app().test_client()
    seen = 0
    for council in COUNCILS:
        sign_in(client, council.slug, f"reader@{council.slug}.example.org")
        described = {p["slug"]: p for p in client.get(f"/{council.slug}/api/processes").get_json()}
        for process in council.processes:
            api = described[process.slug]
            pairs = [(process.intake, api["fields"])] + [
                (stage.record, api_stage["record"])
                for ladder, api_ladder in zip(process.ladders, api["ladders"], strict=True)
                for stage, api_stage in zip(ladder.stages, api_ladder["stages"], strict=True)
            ]
            for api_ladder in api["ladders"]:
                for api_stage in api_ladder["stages"]:
                    assert re.search(r"\b(working days?|calendar days?|next meeting)\b", api_stage["deadline"])
                    assert re.search(r"\b(of|after|as) the \w+", api_stage["deadline"])
            for specs, fields in pairs:
                by_name = {f["name"]: f for f in fields}
                for spec in specs:
                    want = None
                    if spec.shown_when:
                        seen += 1
                        want = {"field": spec.shown_when[0], "values": list(spec.shown_when[1])}
                        names = [f.name for f in specs]
                        controller = spec.shown_when[0]
                        assert controller == "action" or names.index(controller) < names.index(spec.name)
                    assert by_name[spec.name]["shown_when"] == want, spec.name
    assert seen >= 3


# A throwaway council shows the core rules on their own.
RECORD = (
    Field("outcome_note", "What was decided", "textarea"),
    Field("why_not", "Why was it not resolved?", "textarea", shown_when=("action", ("escalate",)),
          error="Enter why it was not resolved"),
)
TESTSHIRE = Council(
    slug="testshire", name="Testshire Council", nation="ENG", reference_prefix="TST",
    immediate_risk="phone the Testshire front door today.",
    processes=(Process(
        slug="dissent", title="Dissent", summary="Testing.",
        intake=(
            Field("met", "Date of the meeting", "date", past=True),
            Field("route", "Which route?", "choice", choices=("A", "B"), error="Select the route"),
            Field("detail", "Detail for route A", shown_when=("route", ("A",))),
        ),
        ladders=(Ladder("only", "Only", stages=(
            Stage("first", "First", Role("panel", "Panel"), WorkingDays(2, from_="met"), RECORD, (resolve(), escalate())),
            Stage("second", "Second", Role("panel", "Panel"), WorkingDays(2), RECORD[:1], (resolve(),)),
        )),),
    ),),
)


class Testshire:
    @hookimpl
    def concord_register_councils(self):
        return [TESTSHIRE]

    @hookimpl
    def concord_demo_directory(self, council):
        return [DirectoryEntry("panel", "Pat Panel", "panel@testshire.example.org")] if council.slug == "testshire" else None


@pytest.fixture
def testshire(make_app, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    client = make_app(PLUGINS=[Testshire()]).test_client()
    sign_in(client, "testshire", "raiser@testshire.example.org")
    return client


def test_a_meeting_date_in_the_future_is_refused_naming_the_field_and_nothing_is_saved(testshire):
    refused = testshire.post("/testshire/api/cases", json={
        "process": "dissent", "answers": {"met": "2026-11-25", "route": "B"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"met": ["Date of the meeting must be today or in the past"]}
    assert testshire.get("/testshire/api/cases/TST-2026-0001").status_code == 404
    today = testshire.post("/testshire/api/cases", json={
        "process": "dissent", "answers": {"met": "2026-11-24", "route": "B"}})
    assert today.status_code == 201


def test_a_date_more_than_two_years_back_is_refused(testshire):
    refused = testshire.post("/testshire/api/cases", json={
        "process": "dissent", "answers": {"met": "2024-11-23", "route": "B"}})
    assert refused.get_json()["errors"] == {"met": ["Date of the meeting must be after 24 November 2024"]}


def test_a_conditional_question_is_required_only_when_shown_and_stored_only_then(testshire):
    refused = testshire.post("/testshire/api/cases", json={"process": "dissent", "answers": {"met": "2026-11-20", "route": "A"}})
    assert refused.get_json()["errors"] == {"detail": ["Enter detail for route A"]}
    opened = testshire.post("/testshire/api/cases", json={
        "process": "dissent", "answers": {"met": "2026-11-20", "route": "B", "detail": "ignored"}}).get_json()
    case = testshire.get(f"/testshire/api/cases/{opened['reference']}").get_json()
    assert case["answers"]["detail"] is None
    assert case["stage"]["due_on"] == "2026-11-24", "2 working days of the meeting on Friday 20 November"


def test_a_record_question_shown_for_one_outcome(testshire):
    opened = testshire.post("/testshire/api/cases", json={
        "process": "dissent", "answers": {"met": "2026-11-20", "route": "B"}}).get_json()
    sign_in(testshire, "testshire", "panel@testshire.example.org", "manager")
    url = f"/testshire/api/cases/{opened['reference']}/actions"
    refused = post_action(testshire, url, {"action": "escalate", "record": {"outcome_note": "x"}})
    assert refused.get_json()["errors"] == {"why_not": ["Enter why it was not resolved"]}
    page = testshire.get(f"/testshire/cases/{opened['reference']}").get_data(as_text=True)
    assert 'id="conditional-action-2"' in page and page.index('name="why_not"') > page.index('id="conditional-action-2"')
    done = post_action(testshire, url, {"action": "resolved", "record": {"outcome_note": "x", "why_not": "y", **CLOSING}}).get_json()
    assert done["stages"][0]["record"] == {"outcome_note": "x", "why_not": None, **CLOSING}


def test_the_error_words_are_the_same_on_the_page(testshire):
    page = testshire.get("/testshire/cases/new/dissent").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    shown = testshire.post("/testshire/cases/new/dissent", data={
        "csrf_token": token, "met": ["25", "11", "2026"], "route": "A"}).get_data(as_text=True)
    assert "Date of the meeting must be today or in the past" in shown
    assert "Enter detail for route A" in shown
    assert 'href="#met"' in shown or 'href="#met-day"' in shown or "#met" in shown
