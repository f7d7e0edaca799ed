"""Surrey: Inter-agency escalation policy and procedure (SSCB, May 2014).

Two processes: the inter-agency escalation of a disagreement, and a dissent
at a child protection conference reviewed by the monthly CP Dissents Group.
See README.md for the choices made where the policy is silent.
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
    NextMeeting,
    Outcome,
    Process,
    Role,
    SameWorkingDay,
    Stage,
    WorkingDays,
    escalate,
)

from .look import LOOK

HERE = Path(__file__).parent

SAFEGUARDING_PROFESSIONAL = Role("safeguarding-professional", "Professional with safeguarding responsibility in your agency")
SENIOR_MANAGER = Role("senior-manager", "Senior manager of your agency")
REFERRAL_SERVICE = Role("referral-service", "Surrey Referral Assessment and Information Service")
INDEPENDENT_CHAIR = Role("independent-chair", "Independent CP Conference Chair", person="chair_email",
                         person_name="chair_name")
CP_DISSENTS_GROUP = Role("cp-dissents-group", "SSCB CP Dissents Group")
CHILDRENS_SERVICE = Role("childrens-service-manager", "Surrey Children's Service")
HEAD_OF_SAFEGUARDING = Role("head-of-safeguarding", "Head of Safeguarding")

CONDUCT = (
    "This procedure does not cover concerns about the behaviour or conduct of another professional: use your "
    "agency's Whistleblowing Policy or Professional Standards for Conduct, and refer concerns about an employee's "
    "behaviour towards a child directly to the Local Authority Designated Officer (LADO)."
)

LEARNING = Field(
    "learning", "General issues to refer to your agency's SSCB representative for learning", "textarea",
    required=False, hint="Issues for the appropriate SSCB subgroup, possible changes to policies and procedures",
    learning=True,  # recorded as the case's learning when the case closes; core asks no second question
)
WRITTEN_CONFIRMATION = (
    Field("discussion", "What was discussed and decided", "textarea"),
    Field("written_confirmation", "Written confirmation of the agreed outcome and how outstanding issues "
                                  "will be pursued", "textarea"),
    LEARNING,
)
RESOLVED = Outcome("resolved", "Resolved: the outcome is confirmed in writing between the parties")


NOT_CONDUCT = Field(
    "conduct", "Is your concern about the behaviour or conduct of another professional?", "yesno",
    accept=("no",), refusal=CONDUCT,
    error="Select yes if your concern is about the behaviour or conduct of another professional",
)
# The flowchart of the policy's section 3 is missing from the copy Concord was built from (see README.md):
# the line-management rungs are Concord's reading of the policy's words. Every deadline (the policy asks for
# "the shortest timescale possible" and gives no number) and the holder it does not name are marked
# ``to_confirm``, so the pages say so value by value.


def rung(slug, title, role, deadline, top=False, holder_to_confirm=False):
    final = Outcome("unresolved", "Not resolved: the decision of the senior managers is recorded") if top else escalate()
    return Stage(slug, title, role, deadline, WRITTEN_CONFIRMATION, (RESOLVED, final),
                 holder_to_confirm=holder_to_confirm)


LINE_MANAGEMENT = (
    rung("line-manager", "Line management", YOUR_LINE_MANAGER,
         WorkingDays(2, since="the matter reaching this rung", to_confirm=True)),
    rung("safeguarding-professional", "Professional with safeguarding responsibility", SAFEGUARDING_PROFESSIONAL,
         WorkingDays(3, since="the matter reaching this rung", to_confirm=True)),
    rung("senior-manager", "Senior managers of the agencies", SENIOR_MANAGER,
         WorkingDays(5, since="the matter reaching this rung", to_confirm=True), top=True, holder_to_confirm=True),
)

escalation = Process(
    slug="escalation",
    title="Raise a professional disagreement with another agency",
    summary=(
        "When a decision made by a worker from another agency on a child protection or child welfare case does not "
        "seem safe to you. Try to resolve it at practitioner level first, unless you believe the child is at "
        "imminent risk of harm."
    ),
    intake=(
        NOT_CONDUCT,
        Field("imminent_risk", "Do you believe the child is at imminent risk of harm, and the other agency disagrees?",
              "choice", choices=("Yes", "No"),
              error="Select yes if you believe the child is at imminent risk of harm and the other agency disagrees",
              hint="If so, the case goes straight to the Surrey Referral Assessment and Information Service"),
        Field("practitioner_level", "Have you tried to resolve this with the other practitioner?", "yesno",
              accept=("yes",), shown_when=("imminent_risk", ("No",)),
              error="Select yes if you have tried to resolve this with the other practitioner",
              refusal="First try to resolve it at practitioner level between the agencies; if that fails, raise it here."),
        Field("tried", "What you tried at practitioner level", "textarea", shown_when=("imminent_risk", ("No",))),
        Field("area", "What is the disagreement about?", "choice", error="Select what the disagreement is about",
              choices=("Level of need or risk assessment", "Roles and responsibilities", "Intervention",
                       "Communication", "Information sharing")),
        Field("other_agency", "Which agency made the decision?", error="Enter the agency that made the decision"),
        Field("decision", "The decision you think is not safe", "textarea"),
        LINE_MANAGER_NAME,
        LINE_MANAGER_EMAIL,
        Field("child_reference", "The child's record number (not their name)", required=False, max_length=50),
    ),
    ladder_by="imminent_risk",
    ladders=(
        Ladder("line-management", "Through line management", when="No", stages=LINE_MANAGEMENT),
        Ladder("imminent-risk", "Imminent risk: the referral service first", when="Yes", stages=(
            Stage(
                "referral-service", "Surrey Referral Assessment and Information Service", REFERRAL_SERVICE,
                SameWorkingDay(since="the case being referred", to_confirm=True),
                (Field("guidance", "Guidance given on whether a referral should be made", "textarea"),
                 Field("mars_submitted", "Was a referral made on the Multi Agency Referral Form?", "yesno",
                       error="Select yes if a referral was made on the Multi Agency Referral Form")),
                (Outcome("referral-made", "Referral made on the Multi Agency Referral Form"),
                 Outcome("no-referral-needed", "Guidance given: no referral is needed"),
                 escalate("Disagreement remains: escalate through line management "
                          "(not in the procedure, for the council to confirm)")),
                guidance="Refer the case the same day; referrals are made using the Multi Agency Referral Form.",
            ),
            *LINE_MANAGEMENT,
        )),
    ),
    out_of_scope=CONDUCT,
)

DISSENTS_GROUP_RECORD = (
    Field("review", "Review of the conference reports, the nature of the dissent and the Chair's decision", "textarea"),
    Field("feedback", "Feedback and recommendations to the Chair and the dissenting professional", "textarea"),
    Field("themes", "Key issues and themes for the SSCB Quality Assurance and Evaluation Sub Group and the "
                    "Operations Group", "textarea"),
    Field("policy_changes", "Recommended changes to policies and procedures", "textarea", required=False),
)

conference_dissent = Process(
    slug="conference-dissent",
    title="Dissent at a child protection conference",
    summary="Professional dissent at a CP Conference, referred by the Independent Chair to the CP Dissents Group.",
    intake=(
        NOT_CONDUCT,
        Field("conference_date", "Date of the conference", "date", past=True),
        Field("chair_name", "Name of the Independent CP Conference Chair"),
        Field("chair_email", "Email address of the Independent CP Conference Chair", "email"),
        Field("agency", "Your agency"),
        Field("decision", "The conference decision", "textarea"),
        Field("dissent", "Your dissent and its reasons", "textarea"),
        Field("child_reference", "The child's record number (not their name)", required=False, max_length=50),
    ),
    outcome_to=("chair_email",),
    out_of_scope=CONDUCT,
    ladders=(Ladder("cp-dissents", "CP Dissents Group", stages=(
        Stage("chair-referral", "Referral by the Independent Chair", INDEPENDENT_CHAIR,
              WorkingDays(2, from_="conference_date", since="the conference", to_confirm=True),
              (Field("referral", "Referral to the CP Dissents Group", "textarea"),),
              (escalate("Referred to the CP Dissents Group"),)),
        Stage("dissents-group", "Review by the CP Dissents Group", CP_DISSENTS_GROUP, NextMeeting("cp-dissents-group", since="the referral by the Chair", name="CP Dissents Group",
                                                                                            to_confirm=True),
              DISSENTS_GROUP_RECORD,
              (Outcome("not-upheld", "Dissent not upheld: feedback given to the Chair and the dissenting professional"),
               escalate("Dissent upheld: feedback on next steps; decision making referred to Surrey Children's "
                        "Service to investigate", tells=True)),
              guidance="The group meets monthly."),
        Stage("investigation", "Investigation by Surrey Children's Service", CHILDRENS_SERVICE,
              WorkingDays(20, since="the dissent being upheld", to_confirm=True),
              (Field("report", "Report of the investigation", "textarea"),
               Field("recommendations", "Recommendations", "textarea")),
              (escalate("Report and recommendations to the Head of Safeguarding"),)),
        Stage("head-of-safeguarding-review", "Review by the Head of Safeguarding", HEAD_OF_SAFEGUARDING,
              WorkingDays(10, since="the investigation's report reaching the Head of Safeguarding", to_confirm=True),
              (Field("actions", "Actions identified", "textarea"),),
              (escalate("A further strategy meeting is to be held"),)),
        Stage("strategy-meeting", "Further strategy meeting", CHILDRENS_SERVICE,
              WorkingDays(5, since="the Head of Safeguarding's review", to_confirm=True),
              (Field("meeting_date", "Date of the strategy meeting", "date", past=True, after="conference_date"),
               Field("outcome", "Outcome of the strategy meeting", "textarea")),
              (Outcome("strategy-meeting-held", "Strategy meeting held"),),
              holder_to_confirm=True),
    )),),
)

COUNCIL = Council(
    slug="surrey",
    name="Surrey County Council",
    look=LOOK,
    nation="ENG",
    reference_prefix="SCC",
    processes=(escalation, conference_dissent),
    immediate_risk=(
        "if you believe a child is at imminent risk of harm and another agency disagrees, refer the case today to the "
        "Surrey Referral Assessment and Information Service, using the Multi Agency Referral Form; call 999 in an "
        "emergency."
    ),
    immediate_risk_role="referral-service",
    signposts=(CONDUCT,),
    version=version("concord-surrey"),
    themes=(
        "Level of need and risk assessment",
        "Roles and responsibilities",
        "Intervention",
        "Communication",
        "Information sharing",
        "Decision making at the CP conference",
    ),
)


plugin = CouncilPlugin(COUNCIL, HERE / "directory.csv")
