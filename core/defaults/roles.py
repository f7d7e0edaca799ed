from ..hookspecs import hookimpl
from ..roles import COUNCIL_ADMIN, MANAGER, PRACTITIONER, SAFEGUARDING_LEAD


@hookimpl
def concord_register_roles():
    return [
        (PRACTITIONER, "Practitioner"),
        (MANAGER, "Manager"),
        (SAFEGUARDING_LEAD, "Safeguarding lead"),
        (COUNCIL_ADMIN, "Council admin"),
    ]
