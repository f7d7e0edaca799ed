"""Security headers on every response, with a per-response CSP nonce for GOV.UK's one inline script.

* ``Content-Security-Policy``: everything from this origin only; no inline style, and no inline
  script but GOV.UK's template's own (``js-enabled``), which carries this response's nonce
  (``cspNonce``, made when a template asks for it: a JSON response has none, and its policy names
  none); no framing, no plugins, no ``<base>``; forms post only here, or to a council's identity
  provider (sign-out redirects there).
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``.
* ``Strict-Transport-Security`` in production only, on https requests (development is plain http).
* ``Referrer-Policy: same-origin``: case references in URLs never leave the site.
* ``X-Content-Type-Options: nosniff``; ``Permissions-Policy: browsing-topics=()``.
* ``Cache-Control: no-store`` on everything but the static assets: pages, API JSON and CSV
  exports hold case data that must not stay in shared or browser caches.

No https redirect and no cookie settings here: the TLS proxy in front redirects, ``/readyz`` is
probed over plain http, and ``core/app.py`` sets the session cookie's flags.

These were flask-talisman's until it cost more than they are worth: it built the same headers anew on
every response (its options copied, its policy parsed again), 440,000 instructions a request, a
seventh of a signed-in request's whole cost when refused at once (callgrind). The headers are fixed
once the councils' plugins have started, but for the nonce, so they are built once.
"""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
    "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'",
    "frame-ancestors": "'none'", "form-action": "'self'",
}
NONCED = "script-src"
HSTS = "max-age=31536000; includeSubDomains"  # one year
FIXED = {"Permissions-Policy": "browsing-topics=()", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
         "Referrer-Policy": "same-origin"}
BUILT = "concord.security_headers"


def init_app(app: Flask) -> None:
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    app.after_request(add_headers)


def csp_nonce() -> str:
    """This response's nonce for GOV.UK's template (``cspNonce``), made on first use; the policy then names it."""
    if not has_request_context():
        return ""
    nonce = getattr(request, "csp_nonce", None)
    if not nonce:
        nonce = request.csp_nonce = secrets.token_urlsafe(24)  # type: ignore[attr-defined]  # 32 characters
    return nonce


def add_headers(response):
    before_nonce, after_nonce = _built(current_app)
    headers = response.headers
    for name, value in FIXED.items():
        headers[name] = value
    nonce = getattr(request, "csp_nonce", None)
    headers["Content-Security-Policy"] = f"{before_nonce} 'nonce-{nonce}'{after_nonce}" if nonce else \
        before_nonce + after_nonce
    if current_app.config["CONCORD_ENV"] == "production" and (
            request.is_secure or request.headers.get("X-Forwarded-Proto", "http") == "https"):
        headers["Strict-Transport-Security"] = HSTS
    if not request.path.startswith("/assets/"):
        headers["Cache-Control"] = "no-store"
    return response


def _built(app: Flask) -> tuple[str, str]:
    """The policy either side of where a nonce goes, built on the first response: the councils' identity
    providers join ``form-action``, and they are known only once every plugin has started."""
    built = app.extensions.get(BUILT)
    if built is None:
        policy = {**POLICY, "form-action": POLICY["form-action"] + _identity_providers(app)}
        parts = [f"{directive} {sources}" for directive, sources in policy.items()]
        at = list(policy).index(NONCED) + 1
        built = app.extensions[BUILT] = ("; ".join(parts[:at]), "".join(f"; {part}" for part in parts[at:]))
    return built


def _identity_providers(app: Flask) -> str:
    """The councils' identity providers, where sign-out's form post ends (end-session endpoints)."""
    origins = sorted({
        "{0.scheme}://{0.netloc}".format(urlsplit(sso.issuer))
        for sso in app.extensions.get("concord.sso", {}).values()
    })
    return "".join(" " + origin for origin in origins)
