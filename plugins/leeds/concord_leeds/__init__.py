"""Leeds: 2.9 Resolving Professional Disagreements and Escalation.

Each of the five kinds of dissent is its own process. Health staff go through
a Designated or Named Professional rather than up line management, so most
processes have two ladders chosen by where the practitioner works. See
README.md for the choices made where the procedure is silent.
"""
from dataclasses import replace
from importlib.metadata import version
from pathlib import Path

from core.plugin import (
    LINE_MANAGER_EMAIL,
    LINE_MANAGER_NAME,
    YOUR_LINE_MANAGER,
    Council,
    CouncilPlugin,
    Field,
    Ladder,
    Outcome,
    Process,
    Role,
    Stage,
    WorkingDays,
    escalate,
    resolve,
)

from .look import LOOK

HERE = Path(__file__).parent

HEALTH = "Health services"
OTHER_AGENCY = "Another agency"

LINE_MANAGER = Role("line-manager", "Line managers of the professionals involved")
CSWS_TEAM_MANAGER = Role(
    "csws-team-manager", "Children's Social Work Services team manager or assistant team manager"
)
SENIOR_MANAGER = Role("agency-senior-manager", "Senior manager in the agencies' line management")
DESIGNATED_NAMED = Role("designated-named-professional", "Designated or Named Professional")
BOARD_REPRESENTATIVE = Role("board-representative", "Safeguarding board representative of each agency involved",
                            scope="agencies")
BOARD_MANAGER = Role("board-manager", "Safeguarding Children Board Manager or nominated representative")
BOARD_CHAIR = Role("board-chair", "Safeguarding Children Board Chair")

# §1: the team manager "liaising with her/his equivalent in the relevant agency": the raiser names their
# agency's equivalent first-line manager, who is told the outcome; the Children's Social Work Services
# team manager holds the rung.
FIRST_LINE_PAIR = Role(
    "csws-team-manager", "Children's Social Work Services team manager or assistant team manager, "
                         "liaising with the equivalent manager in your agency"
)
EQUIVALENT_NAME = Field("equivalent_name", "Name of the equivalent first-line manager in your agency",
                        hint="The manager who will liaise with the Children's Social Work Services team manager",
                        error="Enter the name of the equivalent first-line manager in your agency")
EQUIVALENT_EMAIL = Field("equivalent_email", "Email address of the equivalent first-line manager in your agency",
                         "email", error="Enter the email address of the equivalent first-line manager in your agency")

# The procedure asks for resolution "without delay" but sets no numbers: every deadline here is Leeds's to
# confirm (marked so on the pages); each counts from the matter reaching the rung (the procedure ties none
# to an event).
FIRST_LINE = WorkingDays(2, since="the matter reaching this rung", to_confirm=True)
LINE_MANAGEMENT = WorkingDays(5, since="the matter reaching this rung", to_confirm=True)
BOARD = WorkingDays(10, since="the matter reaching this rung", to_confirm=True)

# §5 "the LSCB representative for each agency involved": the agencies are chosen from this list (the
# procedure names none; the list is Leeds's to confirm), and each representative's directory row has
# their agency as its scope.
AGENCIES = ("Children's Social Work Services", HEALTH, "Police", "Education", "Probation",
            "Voluntary and community sector")
INVOLVED = Field("agencies", "Which agencies are involved?", "checkboxes", choices=AGENCIES,
                 error="Select the agencies involved",
                 hint="Select all that apply: the matter goes to the board representative of each")
HISTORY = Field("history", "The steps taken so far and why the matter is unresolved", "textarea")
POLICY_ISSUES = Field("policy_issues", "Do the discussions raise significant policy issues?", "choice",
                      choices=("Yes", "No"), error="Select yes if the discussions raise significant policy issues",
                      hint="If they do, the matter goes straight to the Safeguarding Children Board Manager")
# Referring on, the rung asks what "Where professional differences remain" needs that this case lacks.
REFER_ON = "differences-remain"
ASKED_REFERRING_ON = tuple(replace(f, shown_when=("action", (REFER_ON,))) for f in (INVOLVED, HISTORY, POLICY_ISSUES))
DISCUSSION = (
    Field("discussion", "Record of the discussion", "textarea"),
    Field("agreed_actions", "Outcome and agreed actions", "textarea"),
)
# Closes the case and opens a linked "Where professional differences remain" (section 5) case.
REMAINS = Outcome(
    "differences-remain",
    "Not resolved: refer as a professional difference that remains (to the agencies' board representatives)",
    opens="differences-remain",
)

SECTOR = Field("sector", "Where do you work?", "choice", choices=(HEALTH, OTHER_AGENCY),
               error="Select where you work", hint="Health staff usually go to their Designated or Named Professional rather than line management")
CHILD_REFERENCE = Field("child_reference", "The child's record number (not their name)", required=False, max_length=50)


def stage(slug, title, role, deadline, outcomes, record=DISCUSSION, guidance="", holder_to_confirm=False):
    if REMAINS in outcomes:
        record = (*record, *ASKED_REFERRING_ON)
    return Stage(slug, title, role, deadline, record, outcomes, guidance, holder_to_confirm)


def by_sector(first_line: Stage, line_management: Stage, health_instead: Stage, *rest: Stage) -> tuple[Ladder, ...]:
    """First-line managers first for everyone; where they cannot agree, health staff go to a Designated or
    Named Professional "in preference to the use of line management", everyone else up line management."""
    return (
        Ladder("line-management", "Through line management", when=OTHER_AGENCY,
               stages=(first_line, line_management, *rest)),
        Ladder("health", "Through a Designated or Named Professional", when=HEALTH,
               stages=(first_line, health_instead, *rest)),
    )


MEETING = ("Call a meeting of all parties. Every agency keeps a record of the discussions, the outcome "
           "and the agreed actions.")

designated_named = stage(
    "designated-named-professional", "Advice from a Designated or Named Professional", DESIGNATED_NAMED,
    FIRST_LINE, (resolve(), escalate()),
    guidance="More common in health services, in preference to line management.",
)

referral = Process(
    slug="referral-enquiry",
    title="Dissent at referral or enquiry stage",
    summary="A disagreement over how Children's Social Work Services handled concerns you reported.",
    intake=(
        SECTOR,
        Field("about", "What is the disagreement about?", "choice", error="Select what the disagreement is about",
              choices=(
            "The referral was not considered to meet the criteria for assessment",
            "More information is wanted from the referrer before the referral progresses",
            "Whether child protection procedures should be invoked",
            "Single or joint agency response (Children's Social Care and the Police)",
            "Whether to convene an Initial Child Protection Conference",
        )),
        Field("concern", "What was decided and why you disagree", "textarea"),
        Field("discussion_so_far", "The discussion or meeting you have had so far", "textarea"),
        EQUIVALENT_NAME,
        EQUIVALENT_EMAIL,
        CHILD_REFERENCE,
    ),
    ladder_by="sector",
    outcome_to=("equivalent_email",),
    ladders=by_sector(
        stage("first-line-managers", "First-line managers", FIRST_LINE_PAIR, FIRST_LINE, (resolve(), escalate()),
              guidance="The Children's Social Care team manager or assistant team manager liaises with the "
                       "equivalent manager in your agency, named on the form, normally after advice from their "
                       "own line manager or designated, named or lead officer."),
        stage("meeting-of-all-parties", "Line management of the agencies: meeting of all parties", SENIOR_MANAGER,
              LINE_MANAGEMENT, (resolve(), REMAINS), guidance=MEETING),
        stage("designated-named-professional", "Designated or Named Professional: meeting of all parties",
              DESIGNATED_NAMED, LINE_MANAGEMENT, (resolve(), REMAINS),
              guidance="More common in health services, in preference to line management. " + MEETING),
    ),
)

need_for_conference = Process(
    slug="need-for-conference",
    title="Dissent about the need for a child protection conference",
    summary=(
        "A request that Children's Social Work Services convene a child protection conference because a child's "
        "welfare may not otherwise be adequately safeguarded."
    ),
    intake=(
        Field("involvement", "How are you involved with the child and family?", "choice",
              error="Select how you are involved with the child and family", choices=(
            "I took part in the Section 47 enquiry",
            "My agency is among those most involved with the child and family",
        )),
        Field("concerns", "Your serious concerns", "textarea"),
        Field("supported_by", "Who supports this request?", "choice", error="Select who supports this request",
              choices=(
            "A senior manager", "A Designated or Named Professional", "Nobody yet",
        ), hint="A request supported by a senior manager or a Designated or Named Professional should normally be agreed"),
        Field("supporter_name", "Name of the senior manager or Designated or Named Professional",
              shown_when=("supported_by", ("A senior manager", "A Designated or Named Professional"))),
        CHILD_REFERENCE,
    ),
    ladders=(Ladder("request", "Request for a conference", stages=(
        stage("csws-decision", "Decision by Children's Social Work Services", CSWS_TEAM_MANAGER,
              WorkingDays(1, since="the request for a conference", to_confirm=True),
              (Outcome("conference-agreed", "Agreed: a child protection conference will be convened"),
               escalate("Not agreed: resolve the differences through discussion and explanation")),
              record=(Field("reasons", "The decision and its reasons", "textarea"),),
              guidance="The decision rests with Children's Social Work Services. A request supported by a senior "
                       "manager or a Designated or Named Professional should normally be agreed.",
              holder_to_confirm=True),
        stage("discussion", "Discussion and explanation", SENIOR_MANAGER, LINE_MANAGEMENT,
              (Outcome("conference-agreed", "Agreed: a child protection conference will be convened"),
               Outcome("conference-not-needed", "Agreed that no conference is needed"), REMAINS),
              holder_to_confirm=True),
    )),),
)

BOARD_MANAGER_CONSIDERS = stage(
    "board-manager", "Safeguarding Children Board Manager", BOARD_MANAGER, BOARD,
    (resolve(), Outcome("further-action", "Further action decided by the Board Manager")),
    record=(Field("further_actions", "Further actions required", "textarea"),),
)
LINE_MANAGER_ONLY = "My line manager"
DNP_ONLY = "A Designated or Named Professional in my agency"
BOTH = "Both"
NOT_FURTHER_RISK = (
    "This route is for a dissent you believe places a child at (further) risk of significant harm. Otherwise the "
    "Chair's note of your dissenting view stands; you decide whether you wish to challenge the result further."
)


def raised_with(slug: str, title: str, role: Role) -> Stage:
    return stage(slug, title, role, FIRST_LINE, (resolve(), escalate("Not resolved: discuss with the Board Manager")))


at_conference = Process(
    slug="conference-dissent",
    title="Dissent at a child protection conference",
    summary="You dissent from the Conference Chair's decision, which the Chair noted in the conference, and believe "
            "it places a child at (further) risk of significant harm.",
    intake=(
        Field("further_risk", "Do you believe the Chair's decision places a child at (further) risk of significant "
                              "harm?", "yesno", accept=("yes",), refusal=NOT_FURTHER_RISK,
              error="Select yes if you believe the decision places a child at (further) risk of significant harm"),
        Field("raise_with", "Who are you raising it with formally?", "choice", choices=(LINE_MANAGER_ONLY, DNP_ONLY, BOTH),
              error="Select who you are raising it with",
              hint="Your line manager and/or a Designated or Named Professional in your agency"),
        Field("conference_date", "Date of the conference", "date", past=True),
        Field("chair_name", "Name of the Conference Chair"),
        Field("chair_email", "Email address of the Conference Chair", "email"),
        Field("dissent_noted", "Did the Chair note your dissenting view?", "yesno",
              error="Select yes if the Chair noted your dissenting view"),
        Field("decision", "The Chair's decision", "textarea"),
        Field("risk", "Why the decision places the child at (further) risk of significant harm", "textarea"),
        replace(LINE_MANAGER_NAME, shown_when=("raise_with", (LINE_MANAGER_ONLY, BOTH))),
        replace(LINE_MANAGER_EMAIL, shown_when=("raise_with", (LINE_MANAGER_ONLY, BOTH))),
        CHILD_REFERENCE,
    ),
    ladder_by="raise_with",
    outcome_to=("chair_email",),
    ladders=(
        Ladder("line-manager", "Your line manager", when=LINE_MANAGER_ONLY, stages=(
            raised_with("line-manager", "Your line manager", YOUR_LINE_MANAGER), BOARD_MANAGER_CONSIDERS)),
        Ladder("designated-named", "A Designated or Named Professional", when=DNP_ONLY, stages=(
            raised_with("designated-named-professional", "Designated or Named Professional", DESIGNATED_NAMED),
            BOARD_MANAGER_CONSIDERS)),
        Ladder("both", "Your line manager and a Designated or Named Professional", when=BOTH, stages=(
            stage("line-manager", "Your line manager", YOUR_LINE_MANAGER, FIRST_LINE,
                  (resolve(), escalate("Not resolved: to the Designated or Named Professional"))),
            raised_with("designated-named-professional", "Designated or Named Professional", DESIGNATED_NAMED),
            BOARD_MANAGER_CONSIDERS)),
    ),
)

plan_implementation = Process(
    slug="plan-implementation",
    title="Dissent about implementing the child protection plan",
    summary="A concern about another professional's decisions, actions or lack of action in implementing the "
            "child protection plan, including taking part in core group meetings.",
    intake=(
        SECTOR,
        Field("other_agency", "Which professional's agency is the concern about?",
              error="Enter the agency of the professional the concern is about"),
        Field("concern", "The decisions, actions or lack of action concerned", "textarea"),
        CHILD_REFERENCE,
    ),
    ladder_by="sector",
    ladders=by_sector(
        stage("first-line-managers", "Line managers of the professionals involved", LINE_MANAGER, FIRST_LINE,
              (resolve(), escalate())),
        stage("line-management", "Line management of each agency", SENIOR_MANAGER, LINE_MANAGEMENT,
              (resolve(), escalate("Not resolved: consider a Child Protection Review Conference"))),
        stage("designated-named-professional", "Advice from a Designated or Named Professional", DESIGNATED_NAMED,
              LINE_MANAGEMENT, (resolve(), escalate("Not resolved: consider a Child Protection Review Conference")),
              guidance="More common in health services, in preference to line management."),
        stage("review-conference", "Consider a Child Protection Review Conference", CSWS_TEAM_MANAGER, FIRST_LINE,
              (Outcome("review-conference", "A Child Protection Review Conference will be convened"),
               Outcome("no-review-conference", "No review conference: reasons recorded"), REMAINS),
              record=(Field("consideration", "Consideration of a review conference", "textarea"),),
              holder_to_confirm=True),
    ),
)

BOARD_MANAGER_DECIDES = stage(
    "board-manager", "Safeguarding Children Board Manager", BOARD_MANAGER, BOARD,
    (resolve(), Outcome("course-of-action", "Course of action determined"), escalate("Report to the Board Chair")),
    record=(Field("course_of_action", "The course of action determined", "textarea"),),
)
BOARD_CHAIR_HEARS = stage(
    "board-chair", "Safeguarding Children Board Chair", BOARD_CHAIR, BOARD,
    (Outcome("reported", "Reported to and considered by the Board Chair"),),
    record=(Field("response", "The Board Chair's response", "textarea"),),
)

differences_remain = Process(
    slug="differences-remain",
    title="Where professional differences remain",
    summary="A professional disagreement that the steps above have not resolved, or that raises significant "
            "policy issues.",
    intake=(
        INVOLVED,
        HISTORY,
        POLICY_ISSUES,
        CHILD_REFERENCE,
    ),
    ladder_by="policy_issues",
    ladders=(
        Ladder("board", "Board representatives first", when="No", stages=(
            stage("board-representatives", "Board representatives of each agency", BOARD_REPRESENTATIVE, BOARD,
                  (resolve(), escalate("Not resolved, or significant policy issues: refer to the Board Manager"))),
            BOARD_MANAGER_DECIDES,
            BOARD_CHAIR_HEARS,
        )),
        Ladder("policy-issues", "Significant policy issues: straight to the Board Manager", when="Yes", stages=(
            BOARD_MANAGER_DECIDES,
            BOARD_CHAIR_HEARS,
        )),
    ),
)

COUNCIL = Council(
    slug="leeds",
    name="Leeds City Council",
    look=LOOK,
    nation="ENG",
    reference_prefix="LDS",
    processes=(referral, need_for_conference, at_conference, plan_implementation, differences_remain),
    immediate_risk=(
        "the child's welfare and safety come first, whatever the disagreement: contact Children's Social Work "
        "Services duty and advice today, and the police on 999 if the child is in immediate danger."
    ),
    immediate_risk_role="front-door",
    signposts=(
        "Complaints by parents or children go through the complaints procedure of the service concerned.",
        "For the local Concerns Resolution Protocol, see the Leeds safeguarding procedures.",
    ),
    version=version("concord-leeds"),
    themes=(
        "Threshold for assessment (eligibility criteria)",
        "Further information asked of the referrer",
        "Whether child protection procedures apply",
        "Single or joint agency response",
        "Need for a child protection conference",
        "Implementing the child protection plan",
        "Participation in core groups",
        "Information sharing",
    ),
)


plugin = CouncilPlugin(COUNCIL, HERE / "directory.csv")
