"""Dumfries and Galloway: Children's Services Resolution and Escalation Protocol (v1.2, 2024).

Pre-escalation is recorded on the intake form; Stages 1 to 4 are the ladder,
Stage 2 with the service lead of the practitioner's agency. Private and
voluntary providers with no management structure beyond their own service
report to their line manager or equivalent at Stage 1 like everyone else, and
at Stage 2 escalate to the GIRFEC Leadership Group for advice and guidance.
See README.md for the choices made.
"""
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

LOCALITIES = ("Wigtownshire", "Stewartry", "Nithsdale", "Annandale and Eskdale")
SOCIAL_WORK = "Social Work"
HEALTH = "Health"
EDUCATION = "Education"
POLICE = "Police"
PRIVATE_OR_VOLUNTARY = "A private or voluntary provider (including early years) with no management structure beyond its own service"
AGENCIES = (SOCIAL_WORK, HEALTH, EDUCATION, POLICE, PRIVATE_OR_VOLUNTARY)

# Stage 2's service leads. The protocol gives examples ("Locality Managers/Team Managers, Detective
# Inspector, Safeguarding Manager, Nurse/Service Managers and Child/Public Protection Advisors (Health)")
# and tags only Health's with their agency: which example serves Social Work, Education and Police is
# Concord's reading, marked on the pages for the council to confirm (``holder_to_confirm``).
SW_SERVICE_LEAD = Role("sw-service-lead", "Locality Manager or Team Manager (Social Work)", scope="locality")
HEALTH_SERVICE_LEAD = Role("health-service-lead", "Nurse or Service Manager, or Child/Public Protection Adviser (Health)")
EDUCATION_SERVICE_LEAD = Role("education-service-lead", "Safeguarding Manager (Education)")
POLICE_SERVICE_LEAD = Role("police-service-lead", "Detective Inspector")
LEADERSHIP_GROUP = Role("girfec-leadership-group", "GIRFEC Leadership Group (senior managers)")
EXECUTIVE = Role("cssapp-executive", "CSSaPP Executive or Public Protection Committee")

FACTUAL = "Use factual, unemotive and non-judgemental language."
# The seed's own question for what was learned: when the outcome closes the case, its answer is the
# case's learning in Concord's reports, and core does not ask a second learning question.
THEMES = Field("themes", "General themes or learning to cascade to all agencies", "textarea", required=False,
               learning=True)

IMMEDIATE_RISK = (
    "If you consider a child or young person to be at immediate risk of significant harm, do not use this "
    "protocol: escalate your concerns on the same working day using the established child protection referral "
    "procedures."
)
NOT_NEEDS = (
    "This framework is about how professionals escalate issues they face as partners when planning for a child. "
    "It is not for deciding whether a child's needs are escalating: use your agency's assessment procedures."
)
COMPLAINT = (
    "This framework does not replace the procedures for complaints or adverse events: follow your service's "
    "recognised procedure."
)
DISAGREEMENT = "A disagreement between professionals planning for a child or young person"
NEEDS = "Whether a child's needs are escalating"

STAGE_1 = Stage(
    "stage-1", "Stage 1: line managers", YOUR_LINE_MANAGER,
    WorkingDays(5, since="the disagreement being reported to the line manager", to_confirm=True),
    (
        Field("participants", "Who has been part of the discussion", "textarea", hint="For accountability"),
        Field("areas_discussed", "Areas discussed", "textarea", hint=FACTUAL),
        Field("agreement", "Points of agreement", "textarea", hint=FACTUAL),
        Field("disagreement", "Points of disagreement", "textarea", hint=FACTUAL),
        Field("barriers", "Barriers that require resolution", "textarea", hint=FACTUAL),
    ),
    (resolve("Resolved: the agreed plan for resolution is recorded"), escalate("Not resolved: refer to service leads")),
    guidance="Line manager to line manager discussion may help, e.g. Senior Charge Nurse, Head Teacher, Team Leader, "
             "Senior Social Worker.",
)


def stage_2(role: Role, title: str = "Stage 2: service leads", guidance: str = "",
            holder_to_confirm: bool = True) -> Stage:
    return Stage(
        "stage-2", title, role,
        WorkingDays(5, since="the referral to the service lead", to_confirm=True),
        (
            Field("situation", "The situation", "textarea"),
            Field("already_tried", "What has already been done to try to resolve it", "textarea"),
            Field("barriers", "The current barriers to resolution", "textarea"),
            Field("actions_agreed", "Actions agreed, fed back immediately to the managers involved", "textarea"),
            Field("recorded_in_record", "Are the conflict and agreements recorded in the child or young person's "
                  "record?", "yesno", error="Select yes if the conflict and agreements are recorded in the child "
                                            "or young person's record",
                  hint="In Education, the named person records escalations centrally in school records, not in "
                       "the child's chronology on SEEMiS"),
        ),
        (resolve(), escalate("Not resolved: refer to the GIRFEC Leadership Group")),
        guidance=guidance or ("Referred without delay. It is good practice to tell the child, young person or family "
                              "that discussions are taking place."),
        holder_to_confirm=holder_to_confirm,
    )


STAGE_3 = Stage(
    "stage-3", "Stage 3: GIRFEC Leadership Group", LEADERSHIP_GROUP,
    WorkingDays(10, since="the referral to the GIRFEC Leadership Group", to_confirm=True),
    (
        Field("information_requested", "Further information requested from other agencies", "textarea", required=False),
        Field("decision", "Discussion, direction or decision", "textarea"),
        THEMES,
    ),
    (resolve("Resolved by discussion or decision"), escalate("No agreement: a stage 4 disagreement")),
)
STAGE_4 = Stage(
    "stage-4", "Stage 4: where disagreements remain", EXECUTIVE,
    WorkingDays(7, since="the dispute becoming a stage 4 disagreement"),
    (
        Field("urgency", "Degree of urgency", "choice", choices=("Immediate", "Urgent", "Routine"),
              hint="The protocol names no scale: this one is not in the procedure, for the council to confirm"),
        Field("urgency_assessment", "Assessment of the degree of urgency and the timescale applied", "textarea"),
        Field("decision", "Decision", "textarea"),
        THEMES,
    ),
    (resolve("Resolved"), Outcome("decided", "Decision made by the CSSaPP Executive or Public Protection Committee")),
    guidance="The degree of urgency is assessed within no longer than 7 working days.",
)


def managed(slug: str, agency: str, service_lead: Role, holder_to_confirm: bool = True) -> Ladder:
    return Ladder(slug, f"{agency}: stages 1 to 4", when=agency,
                  stages=(STAGE_1, stage_2(service_lead, holder_to_confirm=holder_to_confirm), STAGE_3, STAGE_4))


# Stage 2 for a provider with no management structure beyond its own service: the protocol's own words.
PROVIDERS_STAGE_2 = stage_2(
    LEADERSHIP_GROUP, "Stage 2: GIRFEC Leadership Group, for advice and guidance",
    guidance="Private or voluntary providers, including Early Years, with no management structure beyond their own "
             "service escalate to the GIRFEC Leadership Group for advice and guidance, through its children's "
             "services mailbox as the initial point of contact.",
    holder_to_confirm=False,
)


escalation = Process(
    slug="escalation",
    title="Escalate a professional disagreement about planning for a child",
    summary=(
        "For problems or disagreements between professionals planning for a child or young person that discussion "
        "and negotiation have not resolved. It is not about whether a child's needs are escalating."
    ),
    intake=(
        Field("immediate_risk", "Do you consider the child or young person to be at immediate risk of significant "
                                "harm?", "yesno", accept=("no",), refusal=IMMEDIATE_RISK,
              error="Select yes if you consider the child to be at immediate risk of significant harm"),
        Field("about", "What is this about?", "choice", choices=(DISAGREEMENT, NEEDS), accept=(DISAGREEMENT,),
              refusal=NOT_NEEDS, error="Select what this is about"),
        Field("complaint", "Is this a formal complaint or an adverse event?", "yesno", accept=("no",),
              refusal=COMPLAINT, error="Select yes if this is a formal complaint or an adverse event"),
        Field("agency", "Which agency do you work for?", "choice", choices=AGENCIES,
              error="Select the agency you work for",
              hint="Stage 2 goes to your agency's service lead; private and voluntary providers with no management "
                   "structure beyond their own service go to the GIRFEC Leadership Group"),
        # Only Social Work's service lead is chosen by locality (Locality Managers).
        Field("locality", "The child's locality", "choice", choices=LOCALITIES, shown_when=("agency", (SOCIAL_WORK,)),
              error="Select the child's locality", hint="The Locality Manager of the child's locality takes Stage 2"),
        Field("issue", "What is the disagreement about?", "choice", error="Select what the disagreement is about",
              choices=(
                  "A referral not considered to meet the threshold for assessment or services",
                  "Different thresholds for a significant agency response",
                  "Sharing of information",
                  "The outcome of an assessment or whether the right action plan is in place",
                  "A course of action, such as closing involvement with a child or family",
                  "The plan is inappropriate or not meeting the child's needs",
                  "Professionals not attending meetings to progress the child's plan",
                  "Significant delay in an agreed task in the child's plan",
                  "Who should be Lead Professional",
                  "Gaps in service provision or interventions",
                  "Something else",
              )),
        Field("other_agency", "Which service or agency do you disagree with?",
              error="Enter the service or agency you disagree with"),
        Field("pre_discussion", "Pre-escalation: the discussion and negotiation between the professionals", "textarea",
              hint="One-to-one or group discussion, and what was tried"),
        Field("supervision", "Pre-escalation: supervision or group supervision about it", "textarea", required=False),
        Field("locality_group", "Pre-escalation: has a general theme been raised anonymously at the GIRFEC Locality "
                                "Group?", "yesno",
              error="Select yes if a general theme has been raised anonymously at the GIRFEC Locality Group"),
        Field("informed", "Have you told the other professionals that you intend to escalate?", "yesno",
              error="Select yes if you have told the other professionals that you intend to escalate",
              hint="Professionals should inform each other if they intend to escalate their concerns."),
        LINE_MANAGER_NAME,
        LINE_MANAGER_EMAIL,
        Field("child_reference", "The child's record number (not their name)", required=False, max_length=50),
    ),
    ladder_by="agency",
    ladders=(
        managed("social-work", SOCIAL_WORK, SW_SERVICE_LEAD),
        managed("health", HEALTH, HEALTH_SERVICE_LEAD, holder_to_confirm=False),
        managed("education", EDUCATION, EDUCATION_SERVICE_LEAD),
        managed("police", POLICE, POLICE_SERVICE_LEAD),
        Ladder("private-voluntary", "Line manager or equivalent, then the GIRFEC Leadership Group",
               when=PRIVATE_OR_VOLUNTARY, stages=(STAGE_1, PROVIDERS_STAGE_2, STAGE_3, STAGE_4)),
    ),
    out_of_scope="This does not replace the complaints or adverse events procedures: use your service's own. "
                 "A child at immediate risk of significant harm is referred the same working day through the "
                 "established child protection referral procedures, not here.",
)

COUNCIL = Council(
    slug="dumfriesgalloway",
    name="Dumfries and Galloway Council",
    look=LOOK,
    nation="SCT",
    reference_prefix="DG",
    processes=(escalation,),
    immediate_risk=(
        "escalate your concerns on the same working day using the established child protection referral procedures."
    ),
    immediate_risk_role="immediate-risk",
    areas={"locality": LOCALITIES},
    signposts=(
        "Formal complaints and adverse events follow your service's own procedure.",
        "Whether a child's needs are escalating is not decided here: this is for disagreements between professionals.",
    ),
    version=version("concord-dumfriesgalloway"),
    themes=(
        "Threshold for assessment or services",
        "Information sharing",
        "Outcome of assessment and the action plan",
        "Closing involvement with a child or family",
        "Attendance at planning meetings",
        "Delay in completing agreed tasks",
        "Who is Lead Professional",
        "Gaps in service provision",
    ),
)


plugin = CouncilPlugin(COUNCIL, HERE / "directory.csv")
