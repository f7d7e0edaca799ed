from ..hookspecs import hookimpl
from ..roles import (
    COUNCIL_ADMIN,
    DATA_PROTECTION_OFFICER,
    MANAGER,
    PARTNERSHIP_MANAGER,
    PRACTITIONER,
    RUNG_ROLES,
    SAFEGUARDING_LEAD,
)

__all__ = ["COUNCIL_ADMIN", "MANAGER", "PRACTITIONER", "RUNG_ROLES", "SAFEGUARDING_LEAD",
           "PARTNERSHIP_MANAGER", "DATA_PROTECTION_OFFICER"]  # for older imports


@hookimpl
def concord_register_roles():
    return [
        (PRACTITIONER, "Practitioner"),
        (MANAGER, "Manager"),
        (SAFEGUARDING_LEAD, "Safeguarding lead"),
        (COUNCIL_ADMIN, "Council admin"),
        (PARTNERSHIP_MANAGER, "Partnership manager"),
        (DATA_PROTECTION_OFFICER, "Data protection officer"),
    ]
