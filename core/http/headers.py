"""Security headers on every response (flask-talisman), with a per-response CSP nonce for GOV.UK's one inline script.

* ``Content-Security-Policy``: everything from this origin only; no inline style, and no inline
  script but GOV.UK's template's own (``js-enabled``), which carries this response's nonce
  (``cspNonce``); no framing, no plugins, no ``<base>``; forms post only here, or to a council's
  identity provider (sign-out redirects there).
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``.
* ``Strict-Transport-Security`` in production only, on https requests (development is plain http).
* ``Referrer-Policy: same-origin``: case references in URLs never leave the site.
* ``X-Content-Type-Options: nosniff``; talisman's ``Permissions-Policy: browsing-topics=()``.
* ``Cache-Control: no-store`` on everything but the static assets: pages, API JSON and CSV
  exports hold case data that must not stay in shared or browser caches. Talisman has no
  caching option, so a small after-request hook sets it; the same hook adds the councils'
  identity providers to ``form-action``, which are known only once every plugin has started.

Talisman's https redirect and secure-cookie switch stay off: the TLS proxy in front redirects,
``/readyz`` is probed over plain http, and ``core/app.py`` makes the cookie Secure in production.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from flask_talisman import DENY, Talisman
from flask_talisman.talisman import NONCE_LENGTH, get_random_string

POLICY = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'", "img-src": "'self'",
    "font-src": "'self'", "connect-src": "'self'", "object-src": "'none'", "base-uri": "'none'",
    "frame-ancestors": "'none'", "form-action": "'self'",
}
HSTS_MAX_AGE = 31536000  # one year: "max-age=31536000; includeSubDomains"


def init_app(app: Flask) -> None:
    talisman = Talisman(
        app,
        force_https=False,
        session_cookie_secure=False,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE", "Lax"),
        frame_options=DENY,
        strict_transport_security=app.config["CONCORD_ENV"] == "production",
        strict_transport_security_max_age=HSTS_MAX_AGE,
        content_security_policy=dict(POLICY),
        content_security_policy_nonce_in=["script-src"],
        referrer_policy="same-origin",
    )
    app.extensions["concord.talisman"] = talisman
    app.context_processor(lambda: {"cspNonce": csp_nonce()})
    # Runs before talisman's own after-request hook (Flask calls them last registered first).
    app.after_request(add_headers)


def csp_nonce() -> str:
    """This response's nonce for GOV.UK's template (``cspNonce``), made here if talisman's hook did not run
    (a page for an error raised before it); the policy then names it all the same."""
    if not has_request_context():
        return ""
    if not getattr(request, "csp_nonce", None):
        request.csp_nonce = get_random_string(NONCE_LENGTH)  # type: ignore[attr-defined]
    return request.csp_nonce  # type: ignore[attr-defined]


def add_headers(response):
    talisman = current_app.extensions["concord.talisman"]
    talisman.content_security_policy["form-action"] = "'self'" + _identity_providers()
    if not request.path.startswith("/assets/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def _identity_providers() -> str:
    """The councils' identity providers, where sign-out's form post ends (end-session endpoints)."""
    app = current_app
    cached = app.extensions.get("concord.csp_form_action")
    if cached is None:
        origins = sorted({
            "{0.scheme}://{0.netloc}".format(urlsplit(sso.issuer))
            for sso in app.extensions.get("concord.sso", {}).values()
        })
        cached = app.extensions["concord.csp_form_action"] = "".join(" " + o for o in origins)
    return cached
