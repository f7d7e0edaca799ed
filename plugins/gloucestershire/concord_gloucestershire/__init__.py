"""Gloucestershire: Child Protection Conference Professional Dissent Process (GSCP).

The procedure as data; see README.md for the choices made where it is silent.
"""
from importlib.metadata import version
from pathlib import Path

from core.council_plugin import CouncilPlugin
from core.procedures import (
    CalendarDays,
    Council,
    Field,
    Ladder,
    Outcome,
    Process,
    Role,
    SameWorkingDay,
    Stage,
    WorkingDays,
    escalate,
)

HERE = Path(__file__).parent

LINE_MANAGER = Role("line-manager", "Your line manager")
SCU_SERVICE_LEAD = Role("scu-service-lead", "Service lead for the Safeguarding Children Unit (with your service lead)")
BUSINESS_MANAGER = Role("business-manager", "GSCP Business Manager")
SCU_SERVICE_MANAGER = Role("scu-service-manager", "Service Manager, Safeguarding Children Unit")

DECISION_CONFIRMED = Outcome("decision-confirmed", "Decision confirmed: the conference outcome stands")
CONFERENCE_RECONVENED = Outcome("conference-reconvened", "Conference reconvened")

NOT_ATTENDED = (
    "Only professionals who attended the conference and dissented in it can use this process. "
    "For other concerns use the GSCP Escalation Protocol."
)

NOT_RECORDED = (
    "All dissents are recorded formally in the Decisions, Outcome and Recommendations form and the child "
    "protection minutes: record this one there before the review."
)

# Appendix 1: Dissent Form, every field it lists (signature and date are the
# typed name and the time the form is sent).
APPENDIX_1 = (
    Field("attended", "Did you attend the child protection conference and express your dissent in it?", "yesno",
          accept=("yes",), refusal=NOT_ATTENDED),
    Field("professional_name", "Name of professional"),
    Field("professional_role", "Role"),
    Field("agency", "Agency"),
    Field("professional_phone", "Telephone number", max_length=40),
    Field("professional_email", "Email address", "email"),
    Field("manager_details", "Name and contact details of your manager", "textarea", max_length=1000),
    Field("child_names", "Name of child or children"),
    Field("child_dobs", "Date of birth of each child", hint="For example, 3 4 2019", max_length=200),
    Field("conference_date", "Date of the child protection conference", "date"),
    Field("chair_name", "Who chaired the child protection conference"),
    Field("chair_email", "Email address of the conference chair (Reviewing Officer)", "email"),
    Field("made_subject_to_plan", "Was the child made subject to a child protection plan?", "yesno"),
    Field("discussed_with_line_manager", "Have you discussed this dissent with your line manager?", "yesno"),
    Field("rationale", "Rationale for dissent", "textarea"),
    Field("signature", "Signature: type your full name", hint="The date is recorded when you send the form"),
)

conference_dissent = Process(
    slug="conference-dissent",
    title="Dissent from a child protection conference decision",
    summary=(
        "For a professional who attended a child protection conference, dissented in it, and disagrees so "
        "strongly with the decision that they cannot have their professional name attributed to it."
    ),
    intake=APPENDIX_1,
    outcome_to=("chair_email",),
    out_of_scope=(
        "Parents and children who want to complain about a service use the complaints procedure of the local "
        "authority or agency, not this process. Disagreements outside a conference go through the GSCP "
        "Escalation Protocol."
    ),
    ladders=(
        Ladder("dissent", "Conference dissent", stages=(
            Stage(
                slug="line-manager",
                title="Discussion with your line manager",
                role=LINE_MANAGER,
                deadline=SameWorkingDay(from_="conference_date"),
                record=(
                    Field("discussed", "What was discussed", "textarea"),
                    Field("service_lead_advised", "Has your service lead been advised?", "yesno"),
                ),
                outcomes=(
                    escalate("Service lead advised: review with the Safeguarding Children Unit"),
                    Outcome("withdrawn", "Dissent withdrawn after discussion"),
                ),
                guidance="This should happen immediately following the conference.",
            ),
            Stage(
                slug="service-lead-review",
                title="Review by the service leads",
                role=SCU_SERVICE_LEAD,
                deadline=CalendarDays(5, from_="conference_date"),
                record=(
                    Field("dissent_recorded", "Is the dissent recorded in the Decisions, Outcome and Recommendations "
                          "form and the conference minutes?", "yesno", accept=("yes",), refusal=NOT_RECORDED),
                    Field("agency_service_lead", "The dissenter's service lead who took part"),
                    Field("concerns_explored", "Concerns explored", "textarea"),
                    Field("information_reviewed", "Information brought to the conference and minutes reviewed",
                          "textarea"),
                ),
                outcomes=(
                    Outcome("conference-reconvened", "Dissent upheld: the conference will be reconvened"),
                    escalate("Disagreement remains: the formal dissent process starts"),
                ),
                guidance="Within 5 days of the conference. If the dissent is upheld the conference is likely to be reconvened.",
            ),
            Stage(
                slug="formal-dissent",
                title="Formal written dissent to the GSCP Business Manager",
                role=BUSINESS_MANAGER,
                deadline=WorkingDays(10, from_="conference_date"),
                record=(
                    Field("received_on", "Date the written dissent (Appendix 1) was received", "date"),
                    Field("qlp_representatives", "Nominated representatives of the Quality, Learning and Practice group"),
                ),
                outcomes=(escalate("Passed to the Service Manager and the QLP representatives"),),
                guidance="No later than 10 working days from the child protection conference.",
            ),
            Stage(
                slug="dissent-meeting",
                title="Meeting of the Service Manager and QLP representatives",
                role=SCU_SERVICE_MANAGER,
                deadline=WorkingDays(10),
                record=(
                    Field("meeting_date", "Date of the meeting", "date"),
                    Field("attendees", "Who attended", "textarea"),
                    Field("decision_reasons", "The decision and its reasons", "textarea"),
                ),
                outcomes=(escalate("Meeting held: write to the dissenter"),),
            ),
            Stage(
                slug="written-response",
                title="Written response to the dissenter",
                role=SCU_SERVICE_MANAGER,
                deadline=WorkingDays(15, from_="meeting_date"),
                record=(Field("response", "Summary of the written response", "textarea"),),
                outcomes=(DECISION_CONFIRMED, CONFERENCE_RECONVENED),
                guidance="No later than 15 working days after the meeting that considered the dissent.",
            ),
        )),
    ),
)

COUNCIL = Council(
    slug="gloucestershire",
    name="Gloucestershire County Council",
    nation="ENG",
    reference_prefix="GCC",
    processes=(conference_dissent,),
    immediate_risk=(
        "do not wait for this process: refer to children's social care through the Children and Families "
        "Front Door today, and call the police on 999 if the child is in immediate danger."
    ),
    immediate_risk_role="front-door",
    signposts=(
        "Parents' and children's complaints go through the complaints procedure of the service concerned.",
        "Disagreements outside a child protection conference go through the GSCP Escalation Protocol.",
    ),
    version=version("concord-gloucestershire"),
    themes=(
        "Information sharing",
        "Threshold for a child protection plan",
        "Assessment of risk",
        "Attendance and reports at conferences",
        "Communication between agencies",
    ),
)


plugin = CouncilPlugin(COUNCIL, HERE / "directory.csv")
