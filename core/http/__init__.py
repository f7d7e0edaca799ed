"""Request plumbing shared by the pages, the API and sign-in: the council a request is for
(``tenancy``), who is signed in (``session``), the input gate (``hygiene``), safe redirects,
security headers, rate limits and error pages."""
