"""The JSON API against its own OpenAPI document: schemathesis, and a hostile fuzzer of our own.

schemathesis runs in-process on the WSGI app, every phase as ``st run`` does (examples, coverage,
fuzzing, stateful) with every check: no server error, and the API conforms to the document
(status codes and content types documented, bodies matching their schemas, schema-valid requests
accepted and invalid ones refused, ``Allow`` naming the right methods). Derandomized with a fixed
seed and a few examples per operation, so a run is the same every time and takes seconds.

The Hypothesis fuzzer below sends what schemathesis does not: lone surrogates as raw bytes in the
query string, NUL and control characters everywhere, ``[`` × 100,000, bodies that are not JSON or
not sent as JSON. It asserts that no response is a 5xx.
"""
import json
import os
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import events
from schemathesis.engine import from_schema as engine_for

from core.testing import sign_in

WDC = "westdunbartonshire"
PEOPLE = [None, ("teacher.demo@wdc.example.org", "practitioner"), ("head.establishment@wdc.example.org", "manager"),
          ("lead@wdc.example.org", "safeguarding-lead"), ("admin@wdc.example.org", "council-admin")]
ODD_TEXT = ["", " ", "\ud800", "a\udfffb", "\x00", "a\x00b", "\x1b[2J", "\r\n", "\t", "=HYPERLINK(\"x\")", "x" * 10_001,
            "😀", "\u202eevil", "null", "0001-01-01", "9999-12-31", "2026-02-30", "1899-12-31", "2101-01-01",
            "../../etc/passwd", "<script>", "%00", "' OR 1=1 --"]
EXAMPLES = 40


def hostile():
    return st.one_of(
        st.sampled_from(ODD_TEXT),
        st.text(max_size=30),
        st.integers(min_value=-(2 ** 70), max_value=2 ** 70),
        st.floats(allow_nan=False),
        st.booleans(),
        st.none(),
        st.lists(st.text(max_size=5), max_size=3),
        st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    )


def from_schema(schema, components, depth=0):
    """A strategy for values of (a useful subset of) JSON Schema, sometimes wrong on purpose."""
    if "$ref" in schema:
        return from_schema(components[schema["$ref"].rsplit("/", 1)[1]], components, depth)
    if "anyOf" in schema:
        variants = [{**{k: v for k, v in schema.items() if k != "anyOf"}, **variant} for variant in schema["anyOf"]]
        return st.one_of([from_schema(v, components, depth) for v in variants])
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        right = st.sampled_from(schema["enum"])
    else:
        kinds = schema.get("type", "string")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        right = st.one_of([_typed(kind, schema, components, depth) for kind in kinds])
    return st.one_of(right, right, right, hostile()) if depth < 4 else right


def _typed(kind, schema, components, depth):
    if kind == "null":
        return st.none()
    if kind == "integer":
        return st.integers(min_value=schema.get("minimum", -10), max_value=schema.get("maximum", 2000))
    if kind == "array":
        return st.lists(from_schema(schema.get("items", {}), components, depth + 1), max_size=3)
    if kind == "object":
        props = schema.get("properties", {})
        required = schema.get("required", [])
        fields = {name: from_schema(sub, components, depth + 1) for name, sub in props.items()}
        return st.fixed_dictionaries(
            {k: v for k, v in fields.items() if k in required},
            optional={k: v for k, v in fields.items() if k not in required},
        )
    if schema.get("format") == "date":
        return st.dates().map(lambda d: d.isoformat())
    if schema.get("format") == "email":
        return st.sampled_from(["someone@wdc.example.org", "chair@wdc.example.org", "not-an-email"])
    return st.text(max_size=min(schema.get("maxLength", 50), 50))


@pytest.fixture
def api(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="off", RATE_LIMIT_API_WRITE="off", RATE_LIMIT_CALLBACK="off")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": {
        "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Team",
        "decision": "d", "disagreement": "w", "tried": "t"}}).get_json()["reference"]
    doc = client.get("/api/openapi.json").get_json()
    return app, client, doc, reference


def operations(doc):
    return [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()]


def fill_path(path, op, draw, reference):
    for param in op.get("parameters", []):
        if param["in"] != "path":
            continue
        name = param["name"]
        if name == "council":
            value = draw(st.sampled_from([WDC, WDC, WDC, *param["schema"].get("enum", []), "atlantis", "%00"]))
        else:
            value = draw(st.sampled_from([reference, reference, "WDC-2026-9999", "%00", "..", "x" * 300]))
        path = path.replace("{" + name + "}", value)
    return path


def query(op, draw, components):
    """The query string as bytes on the wire: a lone surrogate goes as its raw (invalid UTF-8) bytes."""
    params = []
    for param in op.get("parameters", []):
        if param["in"] == "query" and draw(st.integers(0, 9)) > 0:
            value = draw(from_schema(param["schema"], components))
            value = value if isinstance(value, str) else json.dumps(value)
            params.append(f"{param['name']}={quote(value.encode('utf-8', 'surrogatepass'))}")
    return "&".join(params)


def body(op, draw, components):
    schema = op["requestBody"]["content"]["application/json"]["schema"]
    choice = draw(st.integers(0, 19))
    if choice == 0:
        return draw(st.sampled_from(["[" * 100_000, "{" * 5000, "not json", "", "\xff\xfe", '{"a": "\\ud800"}']))
    if choice == 1:
        return json.dumps(draw(hostile()))
    return json.dumps(draw(from_schema(schema, components)))


def with_current_entry(client, url, raw):
    """The body, acting on the stage the case is at now (so the action can go through)."""
    case = client.get(url.rsplit("/", 1)[0])
    try:
        body, entry = json.loads(raw), case.get_json()["stage"]["entry"]
    except (ValueError, TypeError, KeyError, RecursionError):
        return raw
    if not isinstance(body, dict):
        return raw
    return json.dumps({**body, "entry": entry})


@pytest.mark.parametrize("method", ["get", "post"])
def test_no_api_request_built_from_the_openapi_document_gets_a_server_error(api, method):
    app, client, doc, reference = api
    components = doc["components"]["schemas"]
    ops = [(p, m, o) for p, m, o in operations(doc) if m == method]
    assert ops

    @settings(max_examples=EXAMPLES * len(ops), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        path, _, op = data.draw(st.sampled_from(ops))
        person = data.draw(st.sampled_from(PEOPLE))
        if person:
            sign_in(client, WDC, *person)
        else:
            client.post(f"/{WDC}/sign-out")
            client.cookie_jar.clear() if hasattr(client, "cookie_jar") and client.cookie_jar else None
        url = fill_path(path, op, data.draw, reference)
        kwargs = {"query_string": query(op, data.draw, components)}
        if "requestBody" in op:
            kwargs["data"] = body(op, data.draw, components)
            if url.endswith(("/actions", "/take")) and data.draw(st.booleans()):
                kwargs["data"] = with_current_entry(client, url, kwargs["data"])
            kwargs["content_type"] = data.draw(st.sampled_from(["application/json"] * 5 + ["text/plain", "application/x-www-form-urlencoded"]))
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code < 500, (method, url, kwargs, response.get_data(as_text=True)[:300])

    run()


# Refusals the document cannot express, allowed per operation (each says which rule):
ALSO_REFUSED = [
    # Development sign-in refuses special-use email domains (.test, .invalid, ...) that
    # ``format: email`` allows; it is absent in production.
    ("/{council}/api/dev/session", "400"),
]
SCHEMATHESIS = {
    "seed": 22,
    "workers": 1,
    # NUL (and a lone surrogate) is refused anywhere in a request, names included (the document's
    # info says so); JSON Schema cannot say it of the names of properties a body may add.
    # CONCORD_SCHEMATHESIS_EXAMPLES=100 for a deeper run by hand.
    "generation": {"max-examples": int(os.environ.get("CONCORD_SCHEMATHESIS_EXAMPLES", 5)), "deterministic": True, "database": "none", "allow-x00": False},
    "reports": {"junit": {"enabled": False}},
    "cache": {"enabled": False},  # no replay of an earlier run's failures: every run the same
    "operations": [
        {"include-path": path, "checks": {"positive_data_acceptance": {"expected-statuses": [
            "2xx", "3xx", "401", "403", "404", "409", "429", status]}}}
        for path, status in ALSO_REFUSED],
}


def test_the_api_conforms_to_its_openapi_document_under_schemathesis(api, migrated):
    """Signed in as a safeguarding lead, who sees every case (a teacher raised one first).

    On SQLite only: what is checked is HTTP, the same on either database, and a run is some 20 s
    (the coverage phase tries a thousand bodies each for raising a case and acting on one); the
    hostile fuzzer below runs on PostgreSQL too.
    """
    if not migrated.startswith("sqlite"):
        pytest.skip("schemathesis checks the HTTP contract: one database is enough")
    app, client, _, _ = api
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    config = SchemathesisConfig.from_dict({
        **SCHEMATHESIS, "headers": {"Cookie": f"session={client.get_cookie('session').value}"}})
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app, config=config)
    failures, errors, checked, stop = [], [], 0, None
    for event in engine_for(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for results in event.recorder.checks.values():
                for check in results:
                    checked += 1
                    if check.failure_info is not None:
                        failure = check.failure_info.failure
                        failures.append(f"{failure.code} {event.recorder.label}: {failure.title}\n"
                                        f"{failure.message}\n{check.failure_info.code_sample}")
        elif isinstance(event, events.NonFatalError):
            errors.append(f"{event.label}: {event.info.message}")
        elif isinstance(event, events.FatalError):
            raise event.exception
        elif isinstance(event, events.EngineFinished):
            stop = event.stop_reason
            failures += [f"{f.code} after the run: {f.title}" for f in event.failures]
    assert stop == "completed" and checked > 10_000, (stop, checked)
    assert not errors, "\n".join(errors)
    assert not failures, f"{len(failures)} failures:\n" + "\n\n".join(failures[:10])


def test_the_openapi_document_names_every_process_action_and_record_field(api):
    app, _, doc, _ = api
    schemas = doc["components"]["schemas"]
    raise_body = doc["paths"]["/{council}/api/cases"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    act_body = doc["paths"]["/{council}/api/cases/{reference}/actions"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    for council in app.extensions["concord"].councils.values():
        for process in council.processes:
            assert process.slug in raise_body["properties"]["process"]["enum"]
            answers = schemas[f"{council.slug}.{process.slug}.answers"]
            assert set(answers["properties"]) == {f.name for f in process.intake}
            for ladder in process.ladders:
                for stage in ladder.stages:
                    key = f"{council.slug}.{process.slug}.{ladder.slug}.{stage.slug}"
                    assert set(schemas[f"{key}.record"]["properties"]) == {f.name for f in stage.record}
                    assert schemas[f"{key}.action"]["properties"]["action"]["enum"] == [o.slug for o in stage.outcomes]
                    assert {o.slug for o in stage.outcomes} <= set(act_body["properties"]["action"]["enum"])
    intake = schemas[f"{WDC}.escalation.answers"]["properties"]
    assert intake["agency"]["enum"][0] == "Education Services"
    assert intake["decision"]["maxLength"] == 10_000
    council_param = doc["paths"]["/{council}/api/processes"]["get"]["parameters"][0]
    assert WDC in council_param["schema"]["enum"]
