from ..hookspecs import hookimpl

PRACTITIONER = "practitioner"
MANAGER = "manager"
SAFEGUARDING_LEAD = "safeguarding-lead"
COUNCIL_ADMIN = "council-admin"

# Roles whose holders may take and act on a rung of a case. A council admin
# or practitioner whose email is on a rung gains nothing by it.
RUNG_ROLES = frozenset({MANAGER, SAFEGUARDING_LEAD})


@hookimpl
def concord_register_roles():
    return [
        (PRACTITIONER, "Practitioner"),
        (MANAGER, "Manager"),
        (SAFEGUARDING_LEAD, "Safeguarding lead"),
        (COUNCIL_ADMIN, "Council admin"),
    ]
