"""Two small parts of the procedure model, driven through the JSON API:
a yes/no gate that only accepts "yes", and a deadline that runs from a date
recorded at an earlier stage."""
from core.hookspecs import hookimpl
from core.model.deadlines import WorkingDays
from core.model.procedures import Council, DirectoryEntry, Field, Ladder, Process, Role, Stage, escalate, resolve
from core.testing import london, post_action, sign_in

REFUSAL = "Only people who attended the meeting can raise this"

GATED = Council(
    slug="gateshire",
    name="Gateshire Council",
    nation="ENG",
    reference_prefix="GAT",
    immediate_risk="phone the Gateshire front door today.",
    processes=(
        Process(
            slug="dissent",
            title="Dissent",
            summary="Testing.",
            intake=(
                Field("attended", "Did you attend the meeting?", "yesno", accept=("yes",), refusal=REFUSAL),
                Field("why", "Why you dissent", "textarea"),
            ),
            ladders=(
                Ladder("only", "Only", stages=(
                    Stage("meet", "Meeting", Role("panel", "Panel"), WorkingDays(10),
                          (Field("meeting_date", "Date of the meeting", "date"),), (escalate(),)),
                    Stage("reply", "Reply", Role("panel", "Panel"), WorkingDays(3, from_="meeting_date"),
                          (Field("reply", "Reply", "textarea"),), (resolve(),)),
                )),
            ),
        ),
    ),
)


class Gateshire:
    @hookimpl
    def concord_register_councils(self):
        return [GATED]

    @hookimpl
    def concord_demo_directory(self, council):
        if council.slug == "gateshire":
            return [DirectoryEntry("panel", "Pat Panel", "panel@gateshire.example.org")]
        return None


def test_a_gate_refuses_any_answer_but_the_accepted_one_and_saves_nothing(make_app):
    client = make_app(PLUGINS=[Gateshire()]).test_client()
    sign_in(client, "gateshire", "raiser@gateshire.example.org")
    refused = client.post("/gateshire/api/cases", json={
        "process": "dissent", "answers": {"attended": "no", "why": "x"}})
    assert refused.status_code == 400
    assert refused.get_json()["errors"] == {"attended": [REFUSAL]}
    assert client.get("/gateshire/api/cases/GAT-2026-0001").status_code == 404
    accepted = client.post("/gateshire/api/cases", json={
        "process": "dissent", "answers": {"attended": "yes", "why": "x"}})
    assert accepted.status_code == 201 and accepted.get_json()["reference"] == "GAT-2026-0001"


def test_a_deadline_runs_from_a_date_recorded_at_an_earlier_stage(make_app, clock):
    client = make_app(PLUGINS=[Gateshire()]).test_client()
    clock.set(london(2026, 12, 21, 9, 0))
    sign_in(client, "gateshire", "raiser@gateshire.example.org")
    reference = client.post("/gateshire/api/cases", json={
        "process": "dissent", "answers": {"attended": "yes", "why": "x"}}).get_json()["reference"]
    clock.set(london(2027, 1, 6, 9, 0))  # the record is written days after the meeting
    sign_in(client, "gateshire", "panel@gateshire.example.org", "manager")
    moved = post_action(client, f"/gateshire/api/cases/{reference}/actions", {
        "action": "escalate", "record": {"meeting_date": "2026-12-23"}}).get_json()
    # 3 working days from Wednesday 23 December 2026: 24th, then 29th and 30th (Christmas, Boxing Day moved to the 28th)
    assert moved["stage"]["due_on"] == "2026-12-30"
