from ..hookspecs import hookimpl
from ..roles import COUNCIL_ADMIN, MANAGER, PRACTITIONER, RUNG_ROLES, SAFEGUARDING_LEAD

__all__ = ["COUNCIL_ADMIN", "MANAGER", "PRACTITIONER", "RUNG_ROLES", "SAFEGUARDING_LEAD"]  # for older imports


@hookimpl
def concord_register_roles():
    return [
        (PRACTITIONER, "Practitioner"),
        (MANAGER, "Manager"),
        (SAFEGUARDING_LEAD, "Safeguarding lead"),
        (COUNCIL_ADMIN, "Council admin"),
    ]
