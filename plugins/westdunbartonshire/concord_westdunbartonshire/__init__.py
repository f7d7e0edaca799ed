"""West Dunbartonshire: Multi-Agency Escalation and Dissent Guidance (August 2019).

The procedure as data; see README.md for the choices made where the guidance
is silent.
"""
from importlib.metadata import version
from pathlib import Path

from core.plugin import (
    CalendarDays,
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

LEARNING_COMMUNITIES = (
    "Our Lady and St Patricks",
    "Vale of Leven",
    "Dumbarton Academy",
    "Clydebank High",
    "St Peter the Apostle",
)

EDUCATION = "Education Services"
COMMUNITY_HEALTH = "Community Health Services"
SOCIAL_WORK = "Social Work Services"

HEAD_OF_ESTABLISHMENT = Role("head-of-establishment", "Head of Establishment")
QIO = Role("qio", "Quality Improvement Officer / Service Manager", scope="learning_community")
HEALTH_VISITING = "Community Health Services (health visiting or school nursing)"
SPECIALIST = "Specialist Children's Services"
HEALTH_SERVICES = (HEALTH_VISITING, SPECIALIST)

HEALTH_TEAM_LEADER = Role("health-team-leader", "Team Leader or Deputy Team Leader (Community Health)")
# "the manager of the service; either Community Health services or Specialist
# Children's Services Manager": the staff member's service says which.
HEALTH_SERVICE_MANAGER = Role("health-service-manager", "Manager of the service", scope="health_service")
SW_TEAM_LEADER = Role("sw-team-leader", "Team Leader (Social Work)")
CF_FIELDWORK_MANAGER = Role("cf-fieldwork-manager", "Children and Families Fieldwork Manager")
HEAD_OF_SERVICE = Role("head-of-service", "Head of Service; Children's Services, Care and Criminal Justice")

# The guidance sets no deadline per rung of the escalation ladders; five
# working days keeps a case moving without rushing a face-to-face discussion
# (marked on the pages as the council's to confirm).
RUNG_DEADLINE = WorkingDays(5, since="the disagreement reaching this rung", to_confirm=True)

DISCUSSION = (
    Field("discussed", "What was discussed", "textarea"),
    Field("agreed", "What was agreed or decided", "textarea"),
)

FINAL = Outcome("final-decision", "Not resolved: the final decision is recorded and the procedure ends")


# "Where none of the above facilitates a resolution, the situation may then be escalated to the Children
# and Families Field Work Manager and ultimately to the Head of Service ... In most cases it would be
# anticipated that a face to face discussion would ensue to include all parties."
FACE_TO_FACE_GUIDANCE = ("In most cases a face to face discussion is expected, to include all parties, with the "
                         "intention of reaching a resolution.")
FACE_TO_FACE = Field("face_to_face", "Was there a face to face discussion with all parties?", "yesno",
                     required=False, hint="The guidance expects one in most cases")


def rung(slug: str, title: str, role: Role, top: bool = False, face_to_face: bool = False) -> Stage:
    return Stage(
        slug=slug,
        title=title,
        role=role,
        deadline=RUNG_DEADLINE,
        record=(*DISCUSSION, FACE_TO_FACE) if face_to_face else DISCUSSION,
        outcomes=(resolve(), FINAL if top else escalate()),
        guidance=FACE_TO_FACE_GUIDANCE if face_to_face else "",
    )


escalation = Process(
    slug="escalation",
    title="Raise a disagreement with another agency",
    summary=(
        "For a disagreement about a child that could not be settled where it arose. "
        "It goes up your service's escalation route until it is resolved."
    ),
    intake=(
        Field("agency", "Which service's escalation route are you following?", "choice",
              hint="Usually your own service. Disagreements with a social work team's decision can go to its Team Leader.",
              choices=(EDUCATION, COMMUNITY_HEALTH, SOCIAL_WORK),
              error="Select the service whose escalation route you are following"),
        Field("learning_community", "The child's learning community", "choice", choices=LEARNING_COMMUNITIES,
              hint="The learning community of the child's school or nursery",
              shown_when=("agency", (EDUCATION,)), error="Select the child's learning community"),
        Field("health_service", "Which service do you work in?", "choice", choices=HEALTH_SERVICES,
              shown_when=("agency", (COMMUNITY_HEALTH,)), error="Select the service you work in",
              hint="Its manager is the second rung of the Community Health route"),
        Field("other_agency", "Which agency or team made the decision?", max_length=200,
              error="Enter the agency or team that made the decision"),
        Field("decision", "What was decided", "textarea"),
        Field("disagreement", "Why you disagree", "textarea", error="Enter why you disagree"),
        Field("tried", "What you have already tried to resolve it", "textarea",
              error="Enter what you have already tried to resolve it"),
        Field("child_reference", "The child's record number (not their name)", required=False, max_length=50),
    ),
    ladder_by="agency",
    ladders=(
        Ladder("education", "Education Services", when=EDUCATION, stages=(
            rung("head-of-establishment", "Head of Establishment", HEAD_OF_ESTABLISHMENT),
            rung("qio", "Quality Improvement Officer for the learning community", QIO, top=True),
        )),
        Ladder("community-health", "Community Health Services", when=COMMUNITY_HEALTH, stages=(
            rung("team-leader", "Team Leader or Deputy Team Leader", HEALTH_TEAM_LEADER),
            rung("service-manager", "Manager of the service", HEALTH_SERVICE_MANAGER, top=True),
        )),
        Ladder("social-work", "Social Work Services", when=SOCIAL_WORK, stages=(
            rung("team-leader", "Team Leader (Social Work)", SW_TEAM_LEADER),
            rung("fieldwork-manager", "Children and Families Fieldwork Manager", CF_FIELDWORK_MANAGER,
                 face_to_face=True),
            rung("head-of-service", "Head of Service", HEAD_OF_SERVICE, top=True, face_to_face=True),
        )),
    ),
)

conference_dissent = Process(
    slug="conference-dissent",
    title="Record a dissent from a child protection case conference",
    summary=(
        "For an agency professional who disagrees with the final decision of a child protection case "
        "conference and has told the chairperson, with reasons."
    ),
    intake=(
        Field("conference_date", "Date of the case conference", "date", past=True),
        Field("chair_name", "Name of the conference chairperson"),
        Field("chair_email", "Email address of the conference chairperson", "email"),
        Field("agency", "Your agency or service"),
        Field("decision", "The conference decision you disagree with", "textarea"),
        Field("reasons", "Your reasons, as noted to the chairperson", "textarea",
              error="Enter your reasons, as noted to the chairperson"),
        Field("child_reference", "The child's record number (not their name)", required=False, max_length=50),
    ),
    outcome_to=("chair_email",),
    ladders=(
        Ladder("conference-dissent", "Case conference dissent", stages=(
            Stage(
                slug="acknowledgement",
                title="Acknowledgement by the Head of Service",
                role=HEAD_OF_SERVICE,
                deadline=WorkingDays(1, from_="conference_date", since="the conference"),
                record=(
                    Field("received_on", "Date the dissent reached the Head of Service", "date", past=True,
                          after="conference_date"),
                    Field("acknowledgement", "Acknowledgement note", "textarea", required=False),
                ),
                outcomes=(Outcome("acknowledged", "Dissent acknowledged: start the full review", "review"),),
                guidance="The dissent must reach the Head of Service within one working day of the conference.",
            ),
            Stage(
                slug="review",
                title="Full review by the Head of Service",
                role=HEAD_OF_SERVICE,
                deadline=CalendarDays(14, from_="received_on", since="the dissent reaching the Head of Service"),
                record=(
                    Field("information_reviewed", "Information shared at the conference that was reviewed", "textarea"),
                    Field("discussion", "The discussion reviewed", "textarea"),
                    Field("finding", "Finding on the potential or actual risk to the child", "textarea"),
                    Field("different_chair", "Will a different chair be appointed for the reconvened conference?",
                          "yesno", shown_when=("action", ("conference-reconvened",)),
                          error="Select whether a different chair will be appointed"),
                ),
                outcomes=(
                    Outcome("decision-stands",
                            "Agreement with the majority: the decision of the conference stands"),
                    Outcome("conference-reconvened",
                            "Disagreement with the majority: the conference is to be reconvened"),
                ),
                guidance=(
                    "Review the information shared, the discussion and the decision reached. The outcome is "
                    "notified to both the chairperson and the professional dissenting."
                ),
            ),
        )),
    ),
)

COUNCIL = Council(
    slug="westdunbartonshire",
    name="West Dunbartonshire Council",
    look=LOOK,
    nation="SCT",
    reference_prefix="WDC",
    processes=(escalation, conference_dissent),
    immediate_risk=(
        "make a child protection referral to Social Work Services today, and call the police "
        "on 999 if the child is in immediate danger. Do not wait for this process."
    ),
    immediate_risk_role="social-work-duty",
    areas={"learning_community": LEARNING_COMMUNITIES, "health_service": HEALTH_SERVICES},
    signposts=(
        "Complaints by parents or carers go through the council's complaints procedure.",
        "Concerns about a professional's conduct go to their line manager or through your organisation's whistleblowing policy.",
    ),
    version=version("concord-westdunbartonshire"),
    themes=(
        "Threshold for child protection registration",
        "Information sharing",
        "Attendance and reports at case conferences",
        "Assessment and analysis of risk",
        "Group think at the conference",
        "Communication between agencies",
    ),
)


plugin = CouncilPlugin(COUNCIL, HERE / "directory.csv")
