"""Concord refuses to start with a council it cannot run, or with open cases that no longer fit
the installed councils, and says which council, which ladder, which cases."""

from dataclasses import replace

import pytest

from core.app import create_app
from core.engine import open_cases
from core.engine.open_cases import OrphanedCases
from core.plugin import CouncilPlugin, Field, InvalidCouncil, Outcome, Role, escalate
from core.testing import act, raise_case, sign_in
from core.testing_council import CONTACTS, TESTSHIRE
from core.testing_council import plugin as testshire

PROCESS = TESTSHIRE.processes[0]
LADDER = PROCESS.ladders[0]
FIRST, SECOND = LADDER.stages


def with_stages(*stages, **process_changes):
    ladder = replace(LADDER, stages=stages)
    return replace(TESTSHIRE, processes=(replace(PROCESS, ladders=(ladder,), **process_changes),))


def start(*councils):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "checks-" * 8, "LOAD_ENTRY_POINTS": False,
        "PLUGINS": [CouncilPlugin(c, contacts=CONTACTS) for c in councils],
    })


def refusal(*councils) -> str:
    with pytest.raises(InvalidCouncil) as refused:
        start(*councils)
    return str(refused.value)


def test_the_test_council_starts():
    assert start(TESTSHIRE)


def test_a_stage_no_outcome_leads_to_stops_start_up_naming_it():
    # The warden resolves or refers straight past the elder to a stage nothing reaches.
    orphan = replace(SECOND, slug="tribunal", title="Tribunal")
    council = with_stages(replace(FIRST, outcomes=(FIRST.outcomes[0],)), orphan)
    message = refusal(council)
    assert "council 'testshire'" in message
    assert "only: no outcome ever leads to stage(s) tribunal" in message


def test_a_role_scoped_by_a_field_the_intake_does_not_have_stops_start_up():
    council = with_stages(replace(FIRST, role=Role("warden", "Duty Warden", scope="district")), SECOND)
    message = refusal(council)
    assert "'testshire'" in message and "scoped by 'district', which names no choice field of the intake" in message


def test_a_ladder_chosen_by_a_field_that_is_not_a_choice_stops_start_up():
    council = with_stages(FIRST, SECOND, ladder_by="what")
    assert "ladder_by 'what' names no choice field of the intake" in refusal(council)


def test_a_deadline_counting_from_an_unknown_date_stops_start_up():
    council = with_stages(replace(FIRST, deadline=replace(FIRST.deadline, from_="conference_date")), SECOND)
    assert "counts from 'conference_date', which names no date field" in refusal(council)


def test_a_path_that_can_never_close_stops_start_up_even_when_another_stage_closes():
    # The elder can only send the case back to the warden, who can only escalate: a loop with no end.
    back = Outcome("back", "Send back to the warden", "first")
    council = with_stages(replace(FIRST, outcomes=(escalate(),)), replace(SECOND, outcomes=(back,)))
    assert "from stage(s) first, second no sequence of outcomes closes the case" in refusal(council)
    # One way out of the loop is enough.
    start(with_stages(replace(FIRST, outcomes=(escalate(),)), replace(SECOND, outcomes=(back, *SECOND.outcomes))))


def test_an_outcome_going_to_an_unknown_stage_stops_start_up():
    council = with_stages(replace(FIRST, outcomes=(*FIRST.outcomes, Outcome("panel", "Refer to panel", "panel"))),
                          SECOND)
    assert "outcome 'panel' goes to unknown stage 'panel'" in refusal(council)


def test_two_councils_with_one_reference_prefix_stop_start_up_naming_both():
    otherton = replace(TESTSHIRE, slug="otherton", name="Otherton Council")
    message = refusal(TESTSHIRE, otherton)
    assert "councils 'otherton' and 'testshire' both use the reference prefix 'TST'" in message


def test_a_council_registered_twice_stops_start_up():
    assert "council 'testshire' is registered twice" in refusal(TESTSHIRE, TESTSHIRE)


def test_a_renamed_ladder_with_open_cases_stops_start_up_naming_them_until_they_are_remapped(make_app):
    client = make_app(PLUGINS=[testshire]).test_client()
    first = raise_case(client, "testshire", "disagreement", {"ward": "North", "what": "x"})["reference"]
    second = raise_case(client, "testshire", "disagreement", {"ward": "South", "what": "y"})["reference"]
    act(client, "testshire", second, "resolved", {"notes": "Agreed"})

    # Version 2 renames the ladder "only" to "wards" and the first stage to "warden".
    renamed = with_stages(replace(FIRST, slug="warden"), SECOND)
    renamed = replace(renamed, processes=(replace(renamed.processes[0], ladders=(
        replace(renamed.processes[0].ladders[0], slug="wards"),)),))
    upgraded = CouncilPlugin(renamed, contacts=CONTACTS)
    with pytest.raises(OrphanedCases) as refused:
        make_app(PLUGINS=[upgraded], keep_data=True)
    message = str(refused.value)
    assert f"{first}: testshire/disagreement has no ladder 'only'" in message
    assert second not in message, "a closed case does not stop start-up"
    assert "flask concord cases remap" in message

    maintenance = make_app(PLUGINS=[upgraded], keep_data=True, CHECK_OPEN_CASES=False)
    maintenance.config["CHECK_OPEN_CASES"] = True
    with pytest.raises(OrphanedCases):
        open_cases.check(maintenance, argv=["concord", "run"])
    open_cases.check(maintenance, argv=["db", "upgrade"])  # migrations still run
    result = maintenance.test_cli_runner().invoke(
        args=["concord", "cases", "remap", "testshire", "--ladder", "only=wards", "--stage", "first=warden"])
    assert result.exit_code == 0, result.output
    assert "testshire: 2 case(s) moved" in result.output

    client = make_app(PLUGINS=[upgraded], keep_data=True).test_client()
    case = act(client, "testshire", first, "escalate", {"notes": "Could not agree"},
               by="north.warden@testshire.example.org")
    assert case["ladder"] == "wards" and case["stage"]["slug"] == "second"
    assert [s["slug"] for s in case["stages"]] == ["warden", "second"]
    assert "Moved to the council's renamed procedure" in [e["summary"] for e in case["timeline"]]


def test_an_area_a_plugin_upgrade_adds_finds_the_cases_before_it_once_their_areas_are_refilled(make_app):
    client = make_app(PLUGINS=[testshire]).test_client()
    north = raise_case(client, "testshire", "disagreement", {"ward": "North", "what": "x"})["reference"]
    raise_case(client, "testshire", "disagreement", {"ward": "South", "what": "y"})

    # Version 2 lists its wards as areas: the list can filter by ward, and cases raised from now are kept by it.
    upgraded = make_app(PLUGINS=[CouncilPlugin(replace(TESTSHIRE, areas={"ward": ("North", "South")}),
                                               contacts=CONTACTS)], keep_data=True)
    client = upgraded.test_client()
    sign_in(client, "testshire", "lead@testshire.example.org", "safeguarding-lead")
    by_ward = "/testshire/api/cases?area=ward:North"
    assert client.get(by_ward).get_json()["cases"] == [], "raised before the ward was an area"

    result = upgraded.test_cli_runner().invoke(args=["concord", "cases", "refill-areas", "testshire"])
    assert result.exit_code == 0, result.output
    assert "testshire: 2 case(s) given their areas again" in result.output
    assert [c["reference"] for c in client.get(by_ward).get_json()["cases"]] == [north]
    again = upgraded.test_cli_runner().invoke(args=["concord", "cases", "refill-areas", "testshire"])
    assert "testshire: 0 case(s) given their areas again" in again.output
    unknown = upgraded.test_cli_runner().invoke(args=["concord", "cases", "refill-areas", "nowhere"])
    assert unknown.exit_code == 2 and "'nowhere' is not an installed council" in unknown.output


def test_two_learning_questions_on_one_stage_stop_start_up_and_learning_is_written():
    twice = (Field("lessons", "Lessons", "textarea", learning=True), Field("more", "More", "textarea", learning=True))
    council = with_stages(replace(FIRST, record=FIRST.record + twice), SECOND)
    assert "stage 'first' has more than one learning question" in refusal(council)
    with pytest.raises(ValueError, match="learning is written"):
        Field("when", "When was it learned", "date", learning=True)


def test_thousands_of_orphaned_cases_are_counted_and_the_first_twenty_named():
    message = open_cases.refusal([f"TST-2026-{n:04d}: testshire/disagreement has no ladder 'only'" for n in range(1, 4001)])
    assert message.startswith("4,000 open case(s) do not fit the installed councils:")
    assert "TST-2026-0020:" in message and "TST-2026-0021:" not in message
    assert "… and 3,980 more" in message
    assert len(message.splitlines()) == 23


def test_a_rung_held_by_a_person_the_intake_does_not_name_stops_start_up():
    council = with_stages(FIRST, replace(SECOND, role=Role("chair", "Conference chair", person="chair_email")))
    assert "held by 'chair_email', which names no email field of the intake" in refusal(council)


def test_an_outcome_opening_a_process_the_council_does_not_run_stops_start_up():
    refer = Outcome("refer", "Refer to the panel", None, opens="panel-review")
    council = with_stages(replace(FIRST, outcomes=(*FIRST.outcomes, refer)), SECOND)
    assert "outcome 'refer' opens unknown process 'panel-review'" in refusal(council)


def test_a_question_shown_after_an_answer_the_form_does_not_ask_stops_start_up():
    from core.plugin import Field

    follow_up = Field("why", "Why?", "textarea", shown_when=("agreed", ("no",)))
    council = with_stages(replace(FIRST, record=(*FIRST.record, follow_up)), SECOND)
    assert "'why' is shown when 'agreed' is answered, which is no question of the same form" in refusal(council)


def test_a_council_declaring_cores_withdrawn_outcome_stops_start_up():
    """A raiser's withdrawal is core's 'withdrawn': a stage outcome of that slug would be reported as one."""
    council = with_stages(replace(FIRST, outcomes=(*FIRST.outcomes, Outcome("withdrawn", "Withdrawn after a chat"))),
                          SECOND)
    message = refusal(council)
    assert "outcome 'withdrawn' is core's (withdrawn by the person who raised it)" in message


@pytest.mark.parametrize("slug", ["api", "healthz", "assets"])
def test_a_council_named_like_one_of_cores_own_paths_stops_start_up(slug):
    # Served at /<slug>/, it would sit under core's own pages: the scaffold refuses the name, and so does start-up
    # for a council written by hand.
    message = refusal(replace(TESTSHIRE, slug=slug, reference_prefix="RSV"))
    assert f"council {slug!r}" in message and f"Concord serves its own pages at /{slug}" in message
