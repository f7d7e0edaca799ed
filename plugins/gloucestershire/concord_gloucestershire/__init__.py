"""Gloucestershire: Child Protection Conference Professional Dissent Process (GSCP).

The procedure as data; see README.md for the choices made where it is silent.
"""
from importlib.metadata import version
from pathlib import Path

from core.plugin import (
    LINE_MANAGER_EMAIL,
    LINE_MANAGER_NAME,
    RAISER,
    YOUR_LINE_MANAGER,
    CalendarDays,
    Council,
    CouncilPlugin,
    Field,
    Ladder,
    Outcome,
    Process,
    QuestionPage,
    Role,
    Stage,
    WorkingDays,
    escalate,
    sent,
)

from .look import LOOK

HERE = Path(__file__).parent

SCU_SERVICE_LEAD = Role("scu-service-lead", "Service lead for the Safeguarding Children Unit (with your service lead)")
BUSINESS_MANAGER = Role("business-manager", "GSCP Business Manager")
SCU_SERVICE_MANAGER = Role("scu-service-manager", "Service Manager, Safeguarding Children Unit")

DECISION_CONFIRMED = Outcome("decision-confirmed", "Decision confirmed: the conference outcome stands")
CONFERENCE_RECONVENED = Outcome("conference-reconvened", "Conference reconvened")

PROFESSIONAL = "A professional who attended the conference"
FAMILY = "A parent, carer or child"
COMPLAINT = (
    "This dissent process is for professionals only. Parents and children who want to complain about the service "
    "they have received use the complaints procedure of the local authority or the agency concerned."
)
NOT_ATTENDED = (
    "Dissent can only be expressed within a child protection conference: it cannot be made by professionals who "
    "did not attend the conference, or after the conference has ended. For other disagreements use the GSCP "
    "Escalation Protocol."
)
NOT_RECORDED = (
    "All dissents are recorded formally in the Decisions, Outcome and Recommendations form and the child "
    "protection minutes: record this one there before the review."
)
NOT_REVIEWED = (
    "Before the formal dissent process, discuss your concerns with your line manager, who advises your service "
    "lead, and give the service leads the chance to review them within 5 days of the conference: raise "
    "'Dissent at a child protection conference' first."
)

OUT_OF_SCOPE = (
    "Parents and children who want to complain about a service use the complaints procedure of the local "
    "authority or agency, not this process. This process is separate from the GSCP Escalation Protocol, which "
    "covers disagreements outside a conference."
)

RAISING_AS = Field("raising_as", "Who are you?", "choice", choices=(PROFESSIONAL, FAMILY),
                   accept=(PROFESSIONAL,), refusal=COMPLAINT, error="Select who you are")
ATTENDED = Field("attended", "Did you attend the child protection conference and express your dissent in it?",
                 "yesno", accept=("yes",), refusal=NOT_ATTENDED,
                 error="Select yes if you attended the conference and expressed your dissent in it")
CONFERENCE_DATE = Field("conference_date", "Date of the child protection conference", "date", past=True)
CHAIR_NAME = Field("chair_name", "Who chaired the child protection conference",
                   error="Enter who chaired the child protection conference")
CHAIR_EMAIL = Field("chair_email", "Email address of the conference chair (Reviewing Officer)", "email")

# "The reasons for the dissent must be put in writing and sent to the GSCP Business Manager as soon as
# possible but no later than 10 working days from the Child Protection Conference": the dissenter's own
# deadline, a dated step of their case; a form sent later is accepted and flagged late.
APPENDIX_1_DEADLINE = WorkingDays(10, from_="conference_date", since="the conference")

conference_dissent = Process(
    slug="conference-dissent",
    title="Dissent at a child protection conference",
    summary=(
        "For a professional who attended a child protection conference and dissented in it. Straight after the "
        "conference you discuss it with your line manager, who advises your service lead; the service leads review "
        "it within 5 days of the conference. Only if disagreement remains do you send the formal written dissent."
    ),
    intake=(
        RAISING_AS,
        ATTENDED,
        CONFERENCE_DATE,
        CHAIR_NAME,
        CHAIR_EMAIL,
        LINE_MANAGER_NAME,
        LINE_MANAGER_EMAIL,
        Field("agency", "Your agency"),
        Field("professional_role", "Your role"),
        Field("decision", "The conference decision you dissent from", "textarea"),
        Field("rationale", "Your reasons for dissenting", "textarea"),
    ),
    outcome_to=("chair_email",),
    out_of_scope=OUT_OF_SCOPE,
    ladders=(
        Ladder("dissent", "Conference dissent", stages=(
            Stage(
                slug="line-manager",
                title="Discussion with your line manager",
                role=YOUR_LINE_MANAGER,
                # "immediately following the conference", read as within 1 working day: to confirm
                deadline=WorkingDays(1, from_="conference_date", since="the conference", to_confirm=True),
                record=(
                    Field("discussed", "What was discussed", "textarea"),
                    Field("service_lead_advised", "Has the dissenter's service lead been advised?", "yesno",
                          error="Select yes if the dissenter's service lead has been advised"),
                ),
                outcomes=(
                    escalate("Service lead advised: review with the Safeguarding Children Unit"),
                    Outcome("withdrawn-after-discussion", "Dissent withdrawn after discussion"),
                ),
                guidance="This should happen immediately following the conference.",
            ),
            Stage(
                slug="service-lead-review",
                title="Review by the service leads",
                role=SCU_SERVICE_LEAD,
                deadline=CalendarDays(5, from_="conference_date", since="the conference"),
                record=(
                    Field("dissent_recorded", "Is the dissent recorded in the Decisions, Outcome and Recommendations "
                          "form and the conference minutes?", "yesno", accept=("yes",), refusal=NOT_RECORDED,
                          error="Select yes if the dissent is recorded in the Decisions, Outcome and "
                                "Recommendations form and the minutes"),
                    Field("agency_service_lead", "The dissenter's service lead who took part"),
                    Field("concerns_explored", "Concerns explored", "textarea"),
                    Field("information_reviewed", "Information brought to the conference and minutes reviewed",
                          "textarea"),
                ),
                outcomes=(
                    Outcome("conference-reconvened", "Dissent upheld: the conference will be reconvened"),
                    Outcome("formal-dissent",
                            "Disagreement remains: the dissenter sends the formal written dissent (Appendix 1)",
                            "appendix-1",
                            hint="The dissenter sends it to the GSCP Business Manager no later than 10 working days "
                                 "from the conference, as 'Formal written dissent (Appendix 1)'."),
                ),
                guidance="Within 5 days of the conference. If the dissent is upheld the conference is likely to be "
                         "reconvened; if there is disagreement the formal dissent process starts.",
            ),
            Stage(
                slug="appendix-1",
                title="Formal written dissent (Appendix 1)",
                role=RAISER,
                deadline=APPENDIX_1_DEADLINE,
                record=(),
                outcomes=(sent("Formal written dissent sent"),),
                raiser_sends="formal-dissent",
                guidance="The dissenter puts the reasons for the dissent in writing on the Appendix 1 form and sends "
                         "it to the GSCP Business Manager as soon as possible, and no later than 10 working days "
                         "from the conference. A form sent later is still accepted, and the case says it was late.",
            ),
        )),
    ),
)

# Appendix 1: Dissent Form, every field it lists (signature and date are the
# typed name and the time the form is sent).
APPENDIX_1 = (
    RAISING_AS,
    ATTENDED,
    Field("reviewed", "Have your line manager and the service leads considered your dissent, and does "
                      "disagreement remain?", "yesno", accept=("yes",), refusal=NOT_REVIEWED,
          error="Select yes if the service leads have reviewed your dissent and disagreement remains"),
    Field("professional_name", "Name of professional"),
    Field("professional_role", "Role"),
    Field("agency", "Agency"),
    Field("professional_phone", "Telephone number", max_length=40),
    Field("professional_email", "Email address", "email"),
    Field("manager_details", "Name and contact details of your manager", "textarea", max_length=1000),
    Field("child_names", "Name of child or children"),
    Field("child_dobs", "Date of birth of each child", hint="For example, 3 4 2019", max_length=200),
    Field("conference_date", "Date of the child protection conference", "date", past=True,
          hint="Send this form as soon as possible, and no later than 10 working days from the conference"),
    CHAIR_NAME,
    CHAIR_EMAIL,
    Field("made_subject_to_plan", "Was the child made subject to a child protection plan?", "yesno",
          error="Select yes if the child was made subject to a child protection plan"),
    Field("discussed_with_line_manager", "Have you discussed this dissent with your line manager?", "yesno",
          error="Select yes if you have discussed this dissent with your line manager"),
    Field("rationale", "Rationale for dissent", "textarea"),
    Field("signature", "Signature: type your full name", hint="The date is recorded when you send the form",
          error="Enter your full name as your signature"),
)

formal_dissent = Process(
    slug="formal-dissent",
    title="Formal written dissent (Appendix 1)",
    summary=(
        "The online Appendix 1 Dissent Form, for a professional whose dissent is still disagreed with after the "
        "service leads' review. Send it to the GSCP Business Manager no later than 10 working days from the "
        "conference."
    ),
    intake=APPENDIX_1,
    raiser_deadline=APPENDIX_1_DEADLINE,
    # Appendix 1's 18 questions on eight pages: the three that decide whether this form is the right
    # one, each on its own, then its sections.
    pages=(
        QuestionPage("Who are you?", ("raising_as",)),
        QuestionPage("Did you attend the conference?", ("attended",)),
        QuestionPage("Has your dissent been reviewed?", ("reviewed",)),
        QuestionPage("About you", ("professional_name", "professional_role", "agency", "professional_phone",
                                   "professional_email")),
        QuestionPage("Your manager", ("manager_details", "discussed_with_line_manager")),
        QuestionPage("The child or children", ("child_names", "child_dobs")),
        QuestionPage("The conference", ("conference_date", "chair_name", "chair_email", "made_subject_to_plan")),
        QuestionPage("Your dissent", ("rationale", "signature")),
    ),
    outcome_to=("chair_email",),
    out_of_scope=OUT_OF_SCOPE,
    ladders=(
        Ladder("formal", "Formal dissent", stages=(
            Stage(
                slug="business-manager",
                title="Passed on by the GSCP Business Manager",
                role=BUSINESS_MANAGER,
                deadline=WorkingDays(2, since="the written dissent being received", to_confirm=True),
                record=(
                    Field("qlp_representatives",
                          "Nominated representatives of the Quality, Learning and Practice group"),
                ),
                outcomes=(escalate("Passed to the Service Manager and the QLP representatives"),),
                guidance="The written dissent was received when it was sent through Concord: its date is on the case.",
            ),
            Stage(
                slug="dissent-meeting",
                title="Meeting of the Service Manager and QLP representatives",
                role=SCU_SERVICE_MANAGER,
                deadline=WorkingDays(10, since="the dissent being passed to the Service Manager", to_confirm=True),
                record=(
                    Field("meeting_date", "Date of the meeting", "date", past=True, after="conference_date"),
                    Field("attendees", "Who attended", "textarea"),
                    Field("decision_reasons", "The decision and its reasons", "textarea"),
                ),
                outcomes=(escalate("Meeting held: write to the dissenter"),),
            ),
            Stage(
                slug="written-response",
                title="Written response to the dissenter",
                role=SCU_SERVICE_MANAGER,
                deadline=WorkingDays(15, from_="meeting_date", since="the meeting that considered the dissent"),
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
    look=LOOK,
    nation="ENG",
    reference_prefix="GCC",
    processes=(conference_dissent, formal_dissent),
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
