"""Nothing of one council appears in another's pages, exports or API answers, whatever cases exist.

Hypothesis chooses which of the five councils raise which of their processes, how many, and which
get acted on and closed with learning; every case carries a marker naming its council in its free
text and learning. Then each council's lead, admin and partnership manager read everything they can
(lists, searches, case pages, CSV exports, reports, learning, the audit trail): no other council's
marker or reference may be in any of it.
"""
from datetime import date

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from core.reads.dry_run import example_answers, example_record
from core.runtime import concord
from core.testing import CLOSING, london, sign_in

COUNCILS = ("dumfriesgalloway", "gloucestershire", "leeds", "surrey", "westdunbartonshire")
TODAY = date(2026, 11, 24)
PERIOD = "from=2026-01-01&to=2026-12-31"

raises = st.lists(st.tuples(st.sampled_from(COUNCILS), st.integers(0, 5), st.booleans()), min_size=4, max_size=10)


def marker(slug: str, n: int) -> str:
    return f"LEAKMARK-{slug}-{n}"


def raise_marked(app, client, slug: str, process_index: int, n: int) -> str | None:
    """Raise one case of ``slug`` with its marker in every free-text answer; None if the demo cannot."""
    council = concord(app).councils[slug]
    process = council.processes[process_index % len(council.processes)]
    with app.app_context():  # the app registers the field types the example answers are made of
        answers = example_answers(process, TODAY)
    for spec in process.intake:
        if spec.type in ("text", "textarea") and spec.name in answers and not spec.choices:
            answers[spec.name] = marker(slug, n)[: spec.max_length or None]
    sign_in(client, slug, f"practitioner.{n}@{slug}.example.org")
    made = client.post(f"/{slug}/api/cases", json={"process": process.slug, "answers": answers})
    return made.get_json()["reference"] if made.status_code == 201 else None


def close_with_learning(app, client, slug: str, reference: str, n: int) -> bool:
    """The council's lead closes the case where it stands if they can, with learning carrying the marker;
    whether it closed."""
    sign_in(client, slug, f"lead@{slug}.example.org", "safeguarding-lead")
    case = client.get(f"/{slug}/api/cases/{reference}").get_json()
    stage = case.get("stage") or {}
    if not stage.get("entry"):
        return False
    rung = concord(app).councils[slug].process(case["process"]).ladder(case["ladder"]).stage(stage["slug"])
    with app.app_context():
        record = {**example_record(rung, TODAY), **CLOSING, "case_learning": marker(slug, n)}
    for outcome in sorted(stage.get("outcomes", ()), key=lambda o: not o["closes_case"]):
        body = {"action": outcome["slug"], "entry": stage["entry"], "record": record}
        if client.post(f"/{slug}/api/cases/{reference}/actions", json=body).status_code == 200:
            return outcome["closes_case"]
    return False


def everything_read_at(client, slug: str, references: list[str]) -> str:
    """All a council's readers see, as one text."""
    seen = []
    for email, role in ((f"lead@{slug}.example.org", "safeguarding-lead"), (f"admin@{slug}.example.org", "council-admin"),
                        (f"partner@{slug}.example.org", "partnership-manager")):
        sign_in(client, slug, email, role)
        for path in (f"/{slug}/cases/", f"/{slug}/cases/export.csv?free_text=yes", f"/{slug}/api/cases?per_page=100",
                     f"/{slug}/reports/?{PERIOD}", f"/{slug}/api/reports/summary?{PERIOD}",
                     f"/{slug}/reports/learning?{PERIOD}", f"/{slug}/reports/learning.csv?{PERIOD}",
                     f"/{slug}/admin/audit/audit.csv?{PERIOD}", f"/{slug}/admin/directory/", "/learning",
                     "/api/learning", f"/{slug}/"):
            seen.append(client.get(path).get_data(as_text=True))
        seen.append(client.post(f"/{slug}/api/cases/search", json={"q": "LEAKMARK"}).get_data(as_text=True))
        for reference in references:
            for path in (f"/{slug}/cases/{reference}", f"/{slug}/api/cases/{reference}",
                         f"/{slug}/cases/{reference}/record", f"/{slug}/cases/{reference}/export.json"):
                seen.append(client.get(path).get_data(as_text=True))
    return "\n".join(seen)


# Each example is a whole world of cases and every read of five councils: a few, and no shrinking (a
# failing plan is printed as it was found, which is small enough to read).
@settings(max_examples=4, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=raises)
def test_nothing_of_one_council_appears_in_anything_another_reads(make_app, clock, plan):
    app = make_app(RATE_LIMIT_SIGN_IN="10000/minute", RATE_LIMIT_API_WRITE="10000/minute")
    client = app.test_client()
    clock.set(london(2026, 11, 24, 10, 0))
    made: dict[str, list[str]] = {slug: [] for slug in COUNCILS}
    closed = 0
    for n, (slug, process_index, close) in enumerate(plan):
        reference = raise_marked(app, client, slug, process_index, n)
        if reference:
            made[slug].append(reference)
            if close:
                closed += close_with_learning(app, client, slug, reference, n)
    assert any(made.values()), "the plan raised at least one case"
    with app.app_context():
        from core.model.records import CaseLearning, db

        learned = db.session.scalar(db.select(db.func.count(CaseLearning.id)))
    prefixes = {slug: concord(app).councils[slug].reference_prefix for slug in COUNCILS}
    for slug in COUNCILS:
        text = everything_read_at(client, slug, made[slug])
        for other in COUNCILS:
            if other == slug:
                continue
            assert f"LEAKMARK-{other}-" not in text, f"{other}'s case text in {slug}'s reads"
            for reference in made[other]:
                assert reference not in text, f"{other}'s {reference} in {slug}'s reads"
        for reference in made[slug]:
            assert reference in text, "a council's own cases are in its reads (the check can see them)"
        assert prefixes[slug]
    if closed:
        assert learned, "closed cases carry learning, so the learning exports have something to leak"
