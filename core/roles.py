"""The user roles core itself gives meaning to.

Access rules (``core.access``) and the failure digest read these; the
default plugin ``core.defaults.roles`` registers them with their titles
through ``concord_register_roles``, where a plugin may add others.
"""

PRACTITIONER = "practitioner"
MANAGER = "manager"
SAFEGUARDING_LEAD = "safeguarding-lead"
COUNCIL_ADMIN = "council-admin"

# Roles whose holders may take and act on a rung of a case. A council admin
# or practitioner whose email is on a rung gains nothing by it.
RUNG_ROLES = frozenset({MANAGER, SAFEGUARDING_LEAD})
