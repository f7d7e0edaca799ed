"""Security headers on every response, and GOV.UK's template without its inline script.

flask-talisman would set these, but it cannot be installed from this project's offline package
index, and what Concord needs is a fixed handful of headers: an after-request hook is enough.

* ``Content-Security-Policy``: everything from this origin only; no inline script or style
  (the pages load ``/assets/concord/*.js`` and ``*.css`` instead), no framing, no plugins, no
  ``<base>``; forms post only here, or to a council's identity provider (sign-out redirects there).
* ``X-Frame-Options: DENY`` for browsers without ``frame-ancestors``.
* ``Strict-Transport-Security`` in production only (development is plain http on localhost).
* ``Referrer-Policy: same-origin``: case references in URLs never leave the site.
* ``X-Content-Type-Options: nosniff``.
* ``Cache-Control: no-store`` on everything but the static assets: pages, API JSON and CSV
  exports hold case data that must not stay in shared or browser caches.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request
from jinja2 import BaseLoader

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'{extra}"
)
HSTS = "max-age=31536000; includeSubDomains"
GOVUK_TEMPLATE = "govuk_frontend_jinja/template.html"
GOVUK_INLINE_SCRIPT = "document.body.className += ' js-enabled'"


def init_app(app: Flask) -> None:
    app.jinja_loader = WithoutInlineScript(app.jinja_loader)
    app.after_request(add_headers)


def add_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", POLICY.format(extra=_identity_providers()))
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if current_app.config["CONCORD_ENV"] == "production":
        headers.setdefault("Strict-Transport-Security", HSTS)
    if not request.path.startswith("/assets/"):
        headers["Cache-Control"] = "no-store"
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


class WithoutInlineScript(BaseLoader):
    """Serves GOV.UK's page template minus its one inline ``<script>`` (``static/body-classes.js`` does its job)."""

    def __init__(self, inner):
        self.inner = inner

    def get_source(self, environment, template):
        source, filename, uptodate = self.inner.get_source(environment, template)
        if template == GOVUK_TEMPLATE:
            source = "\n".join(line for line in source.splitlines() if GOVUK_INLINE_SCRIPT not in line)
        return source, filename, uptodate

    def list_templates(self):
        return self.inner.list_templates()
