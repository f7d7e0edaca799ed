"""The user roles core itself gives meaning to.

Access rules (``core.engine.access``) and the failure digest read these; the
default plugin ``core.model.roles`` registers them with their titles
through ``concord_register_roles``, where a plugin may add others.
"""

PRACTITIONER = "practitioner"
MANAGER = "manager"
SAFEGUARDING_LEAD = "safeguarding-lead"
COUNCIL_ADMIN = "council-admin"
# Read-only roles: reports and learning for the partnership; the audit trail for data protection.
PARTNERSHIP_MANAGER = "partnership-manager"
DATA_PROTECTION_OFFICER = "data-protection-officer"

# Roles whose holders may take and act on a rung of a case. A council admin
# or practitioner whose email is on a rung gains nothing by it.
RUNG_ROLES = frozenset({MANAGER, SAFEGUARDING_LEAD})
