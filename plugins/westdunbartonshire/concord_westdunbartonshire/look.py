"""West Dunbartonshire's look in Concord: its header colour, a mark, and its links in the footer.

The mark is drawn for Concord's demonstration (the council's initials on a shield), not the
council's own logo: a council replaces it with its logo's SVG. White text on the colour has a
contrast of at least 4.5:1 (``Look`` checks it).
"""
from core.plugin import FooterLink, Look

LOOK = Look(
    colour="#6f2c91",
    logo_svg=(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40"><path d="M4 4h32v18c0 8-7 13-16 16C11 35 4 30 4 22z" fill="#ffffff"/><text x="20" y="23" text-anchor="middle" font-family="arial, sans-serif" font-weight="700" font-size="15" fill="#6f2c91">WD</text></svg>'
    ),
    footer_links=(
        FooterLink("West Dunbartonshire Council", "https://www.west-dunbarton.gov.uk/"),
        FooterLink("West of Scotland child protection procedures", "https://www.proceduresonline.com/westofscotland/pdfs/WoS_CP_procedures.pdf"),
    ),
)
