"""Sign-in through each council's own identity provider (OpenID Connect, authlib).

Authorization code flow with PKCE, state and nonce; the ID token's signature,
issuer, audience, expiry and nonce are checked. Each council has its own
callback route and its own authlib client, so a response meant for one
council can never be accepted by another. Registered as a core default plugin.

Configuration, per council (or the same keys in a JSON file named by
``CONCORD_OIDC_FILE``: ``{"<council>": {"issuer": …, "client_id": …}}``)::

    CONCORD_OIDC_<COUNCIL>_ISSUER          https://login.microsoftonline.com/<tenant>/v2.0
    CONCORD_OIDC_<COUNCIL>_CLIENT_ID
    CONCORD_OIDC_<COUNCIL>_CLIENT_SECRET
    CONCORD_OIDC_<COUNCIL>_SCOPES          default "openid email profile"
    CONCORD_OIDC_<COUNCIL>_ROLES_CLAIM     default "roles" (e.g. "groups")
    CONCORD_OIDC_<COUNCIL>_ROLE_MAP        JSON {"claim value": "concord role"}; default: values are role slugs
    CONCORD_OIDC_<COUNCIL>_AUTHORIZE_PARAMS  JSON, e.g. {"hd": "council.example.org"}
    CONCORD_OIDC_<COUNCIL>_EMAILS_VERIFIED   "yes" only when the issuer issues nothing but verified
                                             organisation addresses and sends no ``email_verified``
                                             claim (Entra ID); otherwise ``email_verified`` must be true

Users are keyed on (council, issuer, subject): a token received at one
council's callback signs in to that council only, with the roles it carries.
"""
from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

from core.config import ConfigError
from core.hookspecs import hookimpl
from core.http.redirects import safe_next
from core.http.session import sign_in, sign_out, upsert_user
from core.http.tenancy import council_blueprint

REQUIRED = ("issuer", "client_id", "client_secret")
bp = council_blueprint("sso", __name__)


@dataclass(frozen=True)
class CouncilSSO:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    roles_claim: str = "roles"
    role_map: dict = field(default_factory=dict)
    authorize_params: dict = field(default_factory=dict)
    emails_verified: bool = False


def settings_from_environment(environ=os.environ) -> dict[str, dict]:
    found: dict[str, dict] = {}
    if environ.get("CONCORD_OIDC_FILE"):
        with open(environ["CONCORD_OIDC_FILE"], encoding="utf-8") as f:
            found.update(json.load(f))
    keys = ("ISSUER", "CLIENT_ID", "CLIENT_SECRET", "SCOPES", "ROLES_CLAIM", "ROLE_MAP", "AUTHORIZE_PARAMS",
            "EMAILS_VERIFIED")
    for name, value in environ.items():
        if not name.startswith("CONCORD_OIDC_") or name == "CONCORD_OIDC_FILE":
            continue
        rest = name.removeprefix("CONCORD_OIDC_")
        key = next((k for k in keys if rest.endswith("_" + k)), None)
        if key is None:
            raise ConfigError(f"{name}: unknown setting; use one of {', '.join(keys)}")
        council = rest.removesuffix("_" + key).lower()
        if key in ("ROLE_MAP", "AUTHORIZE_PARAMS"):
            try:
                value = json.loads(value)
            except ValueError:
                raise ConfigError(f"{name} must be a JSON object") from None
        if key == "EMAILS_VERIFIED":
            value = _yes_no(name, value)
        found.setdefault(council, {})[key.lower()] = value
    return found


def _yes_no(name: str, value: str) -> bool:
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be yes or no, not {value!r}")


def parse(settings: dict[str, dict], councils, production: bool = False) -> dict[str, CouncilSSO]:
    parsed = {}
    for slug, values in settings.items():
        if slug not in councils:
            raise ConfigError(f"Sign-in is configured for {slug!r}, but no council {slug!r} is installed")
        missing = [k for k in REQUIRED if not values.get(k)]
        if missing:
            names = ", ".join(f"CONCORD_OIDC_{slug.upper()}_{k.upper()}" for k in missing)
            raise ConfigError(f"Sign-in for {councils[slug].name} is missing {names}")
        if production and not _secure_issuer(str(values["issuer"])):
            raise ConfigError(f"CONCORD_OIDC_{slug.upper()}_ISSUER must be an https:// address in production, not "
                              f"{values['issuer']!r}: over http the provider's keys and tokens could be changed on "
                              "the way (http is allowed only to this machine's own loopback address)")
        parsed[slug] = CouncilSSO(**{k: v for k, v in values.items() if k in CouncilSSO.__dataclass_fields__})
    return parsed


def _secure_issuer(issuer: str) -> bool:
    """https, or http to this machine itself (loopback never crosses a network: a provider beside Concord)."""
    parts = urlsplit(issuer)
    return parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "::1"))


class SignInMethod:
    name = "Sign in with your council account"
    endpoint = "sso.start"

    def available(self, council) -> bool:
        return council.slug in current_app.extensions["concord.sso"]


def _client(slug: str):
    return current_app.extensions["concord.oauth"].create_client(slug)


@bp.get("/sign-in/sso")
def start():
    sso = current_app.extensions["concord.sso"].get(g.council.slug)
    if sso is None:
        return redirect(url_for("signin.choose"))
    session["sso_next"] = safe_next(request.args.get("next")) or ""
    # authlib keeps state, nonce and the PKCE verifier in the session and checks them on return.
    nonce = secrets.token_urlsafe(24)
    from requests import RequestException  # with authlib, only where a council signs in with SSO

    try:
        return _client(g.council.slug).authorize_redirect(
            url_for("sso.callback", _external=True), nonce=nonce, **sso.authorize_params)
    except RequestException as e:
        return _not_answering(e)


def _refused(reason: str):
    return render_template("auth/refused.html", reason=reason), 400


def _not_answering(error: Exception):
    """The provider did not answer within ``OIDC_TIMEOUT_SECONDS`` (or refused the connection): say so, and
    free the worker, rather than wait on it until gunicorn ends the worker."""
    current_app.logger.warning("sign-in provider for %s did not answer: %s", g.council.slug, type(error).__name__)
    return render_template("auth/refused.html", reason="Your council's sign-in service is not answering, so you "
                           "have not been signed in. Try again in a few minutes."), 503


@bp.get("/auth/callback")
def callback():
    sso = current_app.extensions["concord.sso"].get(g.council.slug)
    if sso is None:
        return _refused("Sign-in with a council account is not set up here.")
    if "error" in request.args:
        return _refused("Your identity provider did not sign you in.")
    from authlib.integrations.base_client.errors import OAuthError
    from joserfc.errors import JoseError
    from requests import RequestException

    try:
        token = _client(g.council.slug).authorize_access_token(
            claims_options={"iss": {"essential": True, "value": sso.issuer},
                            "aud": {"essential": True, "value": sso.client_id}},
        )
    except RequestException as e:
        return _not_answering(e)
    except (OAuthError, JoseError, ValueError) as e:
        # The reason, never the token, code or verifier.
        current_app.logger.warning("sign-in refused for %s: %s", g.council.slug, type(e).__name__)
        return _refused("The response from your identity provider could not be trusted, so you have not been "
                        "signed in. Start again from the sign-in page.")
    claims = token.get("userinfo")
    if not claims:
        return _refused("Your identity provider sent no ID token, so you have not been signed in.")
    if not claims.get("sub") or not claims.get("email"):
        return _refused("Your account did not give Concord an email address. Ask your administrator.")
    if claims.get("email_verified") is not True and not sso.emails_verified:
        current_app.logger.warning("sign-in refused for %s: email not verified", g.council.slug)
        return _refused("Your identity provider has not verified your email address, so Concord cannot tell "
                        "which cases are yours. Ask your administrator to verify it, then sign in again.")
    roles = _roles(claims.get(sso.roles_claim), sso.role_map)
    if not roles:
        session.clear()
        return render_template("auth/no_role.html"), 403
    user = upsert_user(g.council.slug, sso.issuer, claims["sub"], claims["email"], claims.get("name") or claims["email"])
    target = session.get("sso_next") or url_for("council.council_home")
    sign_in(user, roles)
    session["sso"] = True
    return redirect(target)


def _roles(claim, role_map: dict) -> set[str]:
    known = set(current_app.extensions["concord"].roles)
    if isinstance(claim, str):
        claim = claim.replace(",", " ").split()
    if not isinstance(claim, list):
        return set()
    mapped = {role_map.get(value, value) for value in claim if isinstance(value, str)}
    return mapped & known


@bp.route("/sign-out/sso", methods=["GET", "POST"])
def provider_sign_out():
    """Sign out here and at the council's provider: a form post with its CSRF token, like /sign-out."""
    sso = current_app.extensions["concord.sso"].get(g.council.slug)
    if sso is None:
        abort(404)
    if request.method != "POST":
        abort(405, valid_methods=["POST"])
    sign_out()
    back = url_for("council.council_home", _external=True)
    from requests import RequestException

    try:
        end = _client(g.council.slug).load_server_metadata().get("end_session_endpoint")
    except RequestException:  # signed out here; the provider can be left to its own timeout
        end = None
    if not end:
        return redirect(back)
    from urllib.parse import urlencode

    return redirect(f"{end}?{urlencode({'client_id': sso.client_id, 'post_logout_redirect_uri': back})}")


@hookimpl
def concord_init_app(app):
    concord = app.extensions["concord"]
    settings = app.config.get("OIDC")
    if settings is None:
        settings = settings_from_environment()
    councils = parse(settings, concord.councils, production=app.config["CONCORD_ENV"] == "production")
    oauth: Any = None
    if councils:  # authlib is imported only where a council signs in with SSO
        from authlib.integrations.flask_client import OAuth

        oauth = OAuth(app)
    for slug, sso in councils.items():
        oauth.register(
            name=slug, client_id=sso.client_id, client_secret=sso.client_secret,
            server_metadata_url=sso.issuer.rstrip("/") + "/.well-known/openid-configuration",
            # Every call to the provider gives up after this long: a sync worker waits on it, serving no one else.
            client_kwargs={"scope": sso.scopes, "code_challenge_method": "S256",
                           "default_timeout": app.config.get("OIDC_TIMEOUT_SECONDS", 10)},
        )
    app.extensions["concord.oauth"] = oauth
    app.extensions["concord.sso"] = councils
    app.register_blueprint(bp)


@hookimpl
def concord_register_sign_in_methods(app):
    return [SignInMethod()]
