"""GET /<council>/api/processes says what the forms enforce: which answer a gate question accepts and
the refusal for anything else, which date an answer must follow, what a closing outcome requires
(themes from the council's list, and the learning), and the OpenAPI document says the same."""
from core.testing import sign_in


def processes(client, council):
    sign_in(client, council, f"reader@{council}.example.org")
    return {p["slug"]: p for p in client.get(f"/{council}/api/processes").get_json()}


def test_a_gate_question_says_which_answer_goes_on_and_the_refusal(client):
    """Surrey: "this Procedure does not apply to cases where there may be concerns about the behaviour or
    conduct of another professional"."""
    conduct = {f["name"]: f for f in processes(client, "surrey")["escalation"]["fields"]}["conduct"]
    assert conduct["accept"] == ["no"]
    assert "Whistleblowing Policy" in conduct["refusal"]


def test_a_closing_outcome_says_it_requires_themes_from_the_councils_list_and_the_learning(client):
    stage = processes(client, "westdunbartonshire")["escalation"]["ladders"][0]["stages"][0]
    resolved = next(o for o in stage["outcomes"] if o["slug"] == "resolved")
    escalate = next(o for o in stage["outcomes"] if o["slug"] == "escalate")
    assert escalate["requires"] == []
    required = {r["name"]: r for r in resolved["requires"]}
    assert set(required) == {"case_themes", "case_learning"}
    assert required["case_themes"]["type"] == "checkboxes"
    assert "Group think at the conference" in required["case_themes"]["choices"]


def test_a_councils_own_learning_question_is_what_a_closing_outcome_requires(client):
    stage = processes(client, "surrey")["escalation"]["ladders"][0]["stages"][0]
    resolved = next(o for o in stage["outcomes"] if o["slug"] == "resolved")
    assert [r["name"] for r in resolved["requires"]] == ["case_themes", "learning"]


def test_the_openapi_document_describes_gates_dates_closing_requirements_and_themes(client):
    doc = client.get("/api/openapi.json").get_json()
    processes_doc = doc["paths"]["/{council}/api/processes"]["get"]
    schema = processes_doc["responses"]["200"]["content"]["application/json"]["schema"]
    field = schema["items"]["properties"]["fields"]["items"]["properties"]
    assert {"accept", "refusal", "after"} <= set(field)
    outcome = (schema["items"]["properties"]["ladders"]["items"]["properties"]["stages"]["items"]
               ["properties"]["outcomes"]["items"]["properties"])
    assert "requires" in outcome
    surrey = doc["components"]["schemas"]["surrey.escalation.answers"]["properties"]["conduct"]
    assert "Whistleblowing Policy" in surrey["description"]
    wdc = doc["components"]["schemas"][
        "westdunbartonshire.conference-dissent.conference-dissent.acknowledgement.record"]["properties"]["received_on"]
    assert "conference_date" in wdc["description"]
    leeds = doc["components"]["schemas"]["leeds.differences-remain.answers"]["properties"]["agencies"]
    assert leeds["type"] == "array" and "Police" in leeds["items"]["enum"]
