from ..hookspecs import hookimpl

PRACTITIONER = "practitioner"
MANAGER = "manager"
SAFEGUARDING_LEAD = "safeguarding-lead"
COUNCIL_ADMIN = "council-admin"


@hookimpl
def concord_register_roles():
    return [
        (PRACTITIONER, "Practitioner"),
        (MANAGER, "Manager"),
        (SAFEGUARDING_LEAD, "Safeguarding lead"),
        (COUNCIL_ADMIN, "Council admin"),
    ]
