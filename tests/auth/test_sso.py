"""Council sign-in against real OpenID Connect providers (npm oidc-provider) on loopback.

Two providers stand for two councils' identity providers: West Dunbartonshire's (A) and
Gloucestershire's (B). The tests drive the real redirects with an HTTP client, posting the
provider's own login form.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from authlib.jose import JsonWebKey, jwt

from core.testing import free_port, london

pytestmark = pytest.mark.services
OIDC_DIR = Path(__file__).parents[1] / "oidc"
A, B = "westdunbartonshire", "gloucestershire"
ACCOUNTS = {
    "alice": {"email": "alice@wdc.example.org", "name": "Alice Example", "roles": ["practitioner"]},
    "ada": {"email": "ada@wdc.example.org", "name": "Ada Admin", "roles": ["council-admin", "safeguarding-lead"]},
    "nobody": {"email": "nobody@wdc.example.org", "name": "No Role"},
    "odd": {"email": "odd@wdc.example.org", "name": "Odd Claim", "roles": {"not": "a list"}},
}


def provider_key():
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    jwk = key.as_dict(is_private=True)
    jwk.update(kid="council-test-key", use="sig", alg="RS256")
    return jwk


def node_or_skip() -> str:
    node = shutil.which("node")
    if node is None or not (OIDC_DIR / "node_modules" / "oidc-provider").exists():
        message = "node or tests/oidc/node_modules missing (make test runs npm ci --prefix tests/oidc)"
        if os.environ.get("CONCORD_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return node


def wait_for(issuer: str) -> None:
    for _ in range(200):
        try:
            requests.get(issuer + "/.well-known/openid-configuration", timeout=1).raise_for_status()
            return
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError(f"the provider at {issuer} did not start")


@pytest.fixture(scope="module")
def world():
    node = node_or_skip()
    app_port = free_port()
    providers, processes = {}, []
    for council in (A, B):
        port, jwk = free_port(), provider_key()
        env = {**os.environ, "PORT": str(port), "CLIENT_ID": f"concord-{council}", "CLIENT_SECRET": f"secret-{council}",
               "REDIRECT_URI": f"http://127.0.0.1:{app_port}/{council}/auth/callback",
               "POST_LOGOUT_REDIRECT_URI": f"http://127.0.0.1:{app_port}/{council}/",
               "ACCOUNTS": json.dumps(ACCOUNTS), "JWKS": json.dumps({"keys": [jwk]})}
        processes.append(subprocess.Popen([node, "provider.mjs"], cwd=OIDC_DIR, env=env,
                                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        issuer = f"http://127.0.0.1:{port}"
        providers[council] = {"issuer": issuer, "client_id": f"concord-{council}",
                              "client_secret": f"secret-{council}", "scopes": "openid email profile roles", "jwk": jwk}
    for p in providers.values():
        wait_for(p["issuer"])
    yield {"app_port": app_port, "providers": providers}
    for process in processes:
        process.terminate()
        process.wait()


@pytest.fixture
def site(world, make_app):
    from werkzeug.serving import make_server

    oidc = {c: {k: v for k, v in p.items() if k != "jwk"} for c, p in world["providers"].items()}
    app = make_app(OIDC=oidc)
    server = make_server("127.0.0.1", world["app_port"], app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{world['app_port']}"
    server.shutdown()
    server.server_close()


def log_in_at_provider(browser, response, account):
    """Post the provider's own login form until it redirects back to Concord."""
    while response.status_code == 200 and "/interaction/" in response.url:
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
        fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text))
        if 'name="login"' in response.text:
            fields.update(login=account, password="any")
        response = browser.post(requests.compat.urljoin(response.url, action), data=fields, allow_redirects=False)
        response = follow_to_concord(browser, response)
    return response


def follow_to_concord(browser, response, stop_at_callback=False):
    """Follow redirects while they stay at the provider; return the response that leaves it."""
    while response.is_redirect:
        target = requests.compat.urljoin(response.url, response.headers["Location"])
        if "/auth/callback" in target and stop_at_callback:
            return response
        response = browser.get(target, allow_redirects=False)
    return response


def sign_in_with_sso(base, council, account, browser=None):
    browser = browser or requests.Session()
    response = follow_to_concord(browser, browser.get(f"{base}/{council}/sign-in/sso", allow_redirects=False))
    response = log_in_at_provider(browser, response, account)
    return browser, response


def callback_url(base, council, account, query=""):
    """Sign in at the provider but stop before Concord's callback; return its URL."""
    browser = requests.Session()
    response = follow_to_concord(browser, browser.get(f"{base}/{council}/sign-in/sso{query}", allow_redirects=False),
                                 stop_at_callback=True)
    while not (response.is_redirect and "/auth/callback" in response.headers["Location"]):
        action = re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1)
        fields = dict(re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', response.text))
        if 'name="login"' in response.text:
            fields.update(login=account, password="any")
        response = browser.post(requests.compat.urljoin(response.url, action), data=fields, allow_redirects=False)
        response = follow_to_concord(browser, response, stop_at_callback=True)
    return browser, requests.compat.urljoin(response.url, response.headers["Location"])


def test_sign_in_to_a_council_and_see_its_pages(site):
    app, base = site
    browser, response = sign_in_with_sso(base, A, "alice")
    assert response.status_code == 200, response.text[:500]
    assert "Signed in as <strong>Alice Example</strong>\n          (Practitioner)" in response.text
    assert browser.get(f"{base}/{A}/cases/").status_code == 200
    from core.model.records import User, db

    with app.app_context():
        user = db.session.scalar(db.select(User).filter_by(email="alice@wdc.example.org"))
        assert (user.issuer, user.subject, user.council) == (app.config["OIDC"][A]["issuer"], "alice", A)


def test_the_sign_in_page_offers_the_council_account(site):
    _, base = site
    assert "Sign in with your council account" in requests.get(f"{base}/{A}/sign-in").text


def test_a_user_of_council_a_gets_404_for_council_b(site):
    app, base = site
    other = requests.Session()
    other.post(f"{base}/{B}/api/dev/session", json={"email": "worker@gcc.example.org", "role": "practitioner"})
    answers = {"raising_as": "A professional who attended the conference", "attended": "yes",
               "conference_date": "2026-11-20", "chair_name": "C", "chair_email": "chair@gcc.example.org",
               "line_manager_name": "L", "line_manager_email": "line.manager@gcc.example.org", "agency": "A", "professional_role": "R", "decision": "D", "rationale": "R"}
    reference = other.post(f"{base}/{B}/api/cases", json={"process": "conference-dissent", "answers": answers}).json()["reference"]

    browser, _ = sign_in_with_sso(base, A, "ada")
    for path in (f"/{B}/cases/{reference}", f"/{B}/api/cases/{reference}", f"/{B}/cases/",
                 f"/{B}/admin/directory/", f"/{B}/admin/directory/export.csv", f"/{B}/admin/calendar/"):
        assert browser.get(base + path, allow_redirects=False).status_code == 404, path
    assert browser.get(f"{base}/{A}/admin/directory/").status_code == 200


def test_a_response_from_council_as_provider_is_refused_at_council_bs_callback(site):
    _, base = site
    browser, url = callback_url(base, A, "alice")
    replayed = browser.get(url.replace(f"/{A}/auth/callback", f"/{B}/auth/callback"), allow_redirects=False)
    assert replayed.status_code == 400
    assert "You have not been signed in" in replayed.text
    assert browser.get(f"{base}/{B}/cases/", allow_redirects=False).status_code == 302


def test_a_wrong_state_is_refused(site):
    _, base = site
    browser, url = callback_url(base, A, "alice")
    tampered = re.sub(r"state=[^&]+", "state=forged", url)
    response = browser.get(tampered, allow_redirects=False)
    assert response.status_code == 400 and "could not be trusted" in response.text
    assert browser.get(f"{base}/{A}/cases/", allow_redirects=False).status_code == 302


def forge(world, council, change):
    """Wrap the token exchange so the real ID token comes back altered."""
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

    original = FlaskOAuth2App.fetch_access_token
    jwk = world["providers"][council]["jwk"]

    def altered(self, *args, **kwargs):
        token = original(self, *args, **kwargs)
        payload = token["id_token"].split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        token["id_token"] = change(token["id_token"], claims, jwk)
        return token

    return altered


def resign(claims, jwk, **changes):
    return jwt.encode({"alg": "RS256", "kid": jwk["kid"]}, {**claims, **changes},
                      JsonWebKey.import_key(jwk)).decode()


@pytest.mark.parametrize("case", ["tampered-signature", "expired", "wrong-audience", "wrong-nonce", "wrong-issuer"])
def test_an_id_token_that_does_not_check_out_is_refused(site, world, monkeypatch, case):
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

    now = int(time.time())
    changes = {
        "tampered-signature": lambda raw, claims, jwk: raw[:-6] + ("AAAAAA" if not raw.endswith("AAAAAA") else "BBBBBB"),
        "expired": lambda raw, claims, jwk: resign(claims, jwk, iat=now - 7200, exp=now - 3600),
        "wrong-audience": lambda raw, claims, jwk: resign(claims, jwk, aud="someone-else"),
        "wrong-nonce": lambda raw, claims, jwk: resign(claims, jwk, nonce="not-the-nonce"),
        "wrong-issuer": lambda raw, claims, jwk: resign(claims, jwk, iss="http://127.0.0.1:1"),
    }
    altered = forge(world, A, changes[case])
    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", altered)
    _, base = site
    browser, response = sign_in_with_sso(base, A, "alice")
    assert response.status_code == 400, case
    assert "You have not been signed in" in response.text
    assert browser.get(f"{base}/{A}/cases/", allow_redirects=False).status_code == 302


def test_a_correctly_resigned_token_is_accepted_so_the_refusals_are_about_the_claims(site, world, monkeypatch):
    from authlib.integrations.flask_client.apps import FlaskOAuth2App

    altered = forge(world, A, lambda raw, claims, jwk: resign(claims, jwk))
    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token", altered)
    _, base = site
    _, response = sign_in_with_sso(base, A, "alice")
    assert "Signed in as <strong>Alice Example</strong>" in response.text


@pytest.mark.parametrize("account", ["nobody", "odd"])
def test_an_account_without_a_concord_role_sees_the_no_role_page(site, account):
    _, base = site
    browser, response = sign_in_with_sso(base, A, account)
    assert response.status_code == 403
    assert "Your account has no role in Concord" in response.text and "Ask your administrator" in response.text
    assert browser.get(f"{base}/{A}/cases/", allow_redirects=False).status_code == 302


def test_the_session_ends_after_the_idle_timeout(site, clock):
    _, base = site
    clock.set(london(2026, 11, 24, 9, 0))
    browser, _ = sign_in_with_sso(base, A, "alice")
    clock.set(london(2026, 11, 24, 9, 29))
    assert browser.get(f"{base}/{A}/cases/", allow_redirects=False).status_code == 200
    clock.set(london(2026, 11, 24, 9, 29) + timedelta(minutes=31))
    response = browser.get(f"{base}/{A}/cases/", allow_redirects=False)
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]


@pytest.mark.parametrize("target, lands_on", [
    ("/%09/evil.example", f"/{A}/"), ("//evil.example", f"/{A}/"), ("/%5Cevil.example", f"/{A}/"),
    ("https://evil.example/", f"/{A}/"), (f"/{A}/cases/", f"/{A}/cases/"),
])
def test_after_sso_sign_in_alice_goes_back_to_her_page_and_never_off_site(site, target, lands_on):
    _, base = site
    browser, url = callback_url(base, A, "alice", query=f"?next={target}")
    response = browser.get(url, allow_redirects=False)
    assert response.status_code == 302
    assert response.headers["Location"] == lands_on


def test_sign_out_clears_the_session_and_ends_the_providers_session(site, world):
    _, base = site
    browser, page = sign_in_with_sso(base, A, "alice")
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page.text, re.S)
    assert form.group(1) == f"/{A}/sign-out/sso" and "Sign out" in form.group(2)
    # The policy lets this form's redirect end at the provider, and nowhere else.
    policy = dict(d.strip().split(" ", 1) for d in page.headers["Content-Security-Policy"].split(";"))
    assert policy["form-action"].split() == ["'self'", *sorted(p["issuer"] for p in world["providers"].values())]
    assert browser.get(f"{base}/{A}/sign-out/sso", allow_redirects=False).status_code == 405
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(2)).group(1)
    response = browser.post(base + form.group(1), data={"csrf_token": token}, allow_redirects=False)
    assert response.headers["Location"].startswith(world["providers"][A]["issuer"] + "/session/end")
    assert browser.get(f"{base}/{A}/cases/", allow_redirects=False).status_code == 302


def test_the_session_cookie_is_httponly_and_samesite_lax(site):
    _, base = site
    browser, response = sign_in_with_sso(base, A, "alice")
    cookie = next(c for c in browser.cookies if c.name == "session" and c.domain.startswith("127.0.0.1"))
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert "samesite" in {k.lower() for k in cookie._rest}


def test_codes_states_and_tokens_never_reach_the_logs(site, caplog):
    import logging

    caplog.set_level(logging.INFO)
    _, base = site
    browser, url = callback_url(base, A, "alice")
    code = re.search(r"code=([^&]+)", url).group(1)
    browser.get(url)
    for _ in range(50):  # the server logs a request after answering it
        if "auth/callback" in caplog.text:
            break
        time.sleep(0.02)
    assert "auth/callback" in caplog.text, "the request was logged"
    assert code not in caplog.text


# --- one issuer serving two councils (Google Workspace, a shared Entra tenant) -------------------

SHARED_ACCOUNTS = {
    # A practitioner at West Dunbartonshire who is also an admin and lead at Gloucestershire.
    "pat": {"email": "pat.shared@shared.example.org", "name": "Pat Shared",
            "roles_by_client": {f"concord-{A}": ["practitioner"], f"concord-{B}": ["council-admin", "safeguarding-lead"]}},
    "unverified": {"email": "head.establishment@wdc.example.org", "name": "Not Verified", "roles": ["manager"],
                   "email_verified": False},
    "hoe": {"email": "head.establishment@wdc.example.org", "name": "Head Example", "roles": ["manager"]},
    "hoe-again": {"email": "head.establishment@wdc.example.org", "name": "Second Subject", "roles": ["manager"]},
    "wdc-admin": {"email": "directory.admin@wdc.example.org", "name": "Dee Admin", "roles": ["council-admin"]},
}


@pytest.fixture(scope="module")
def shared_issuer():
    node = node_or_skip()
    app_port, port = free_port(), free_port()
    clients = [{"client_id": f"concord-{c}", "client_secret": f"secret-{c}",
                "redirect_uri": f"http://127.0.0.1:{app_port}/{c}/auth/callback",
                "post_logout_redirect_uri": f"http://127.0.0.1:{app_port}/{c}/"} for c in (A, B)]
    env = {**os.environ, "PORT": str(port), "CLIENTS": json.dumps(clients), "ACCOUNTS": json.dumps(SHARED_ACCOUNTS),
           "JWKS": json.dumps({"keys": [provider_key()]})}
    process = subprocess.Popen([node, "provider.mjs"], cwd=OIDC_DIR, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    issuer = f"http://127.0.0.1:{port}"
    wait_for(issuer)
    yield {"app_port": app_port, "issuer": issuer}
    process.terminate()
    process.wait()


@pytest.fixture
def shared_site(shared_issuer, make_app):
    from werkzeug.serving import make_server

    oidc = {c: {"issuer": shared_issuer["issuer"], "client_id": f"concord-{c}", "client_secret": f"secret-{c}",
                "scopes": "openid email profile roles"} for c in (A, B)}
    app = make_app(OIDC=oidc)
    server = make_server("127.0.0.1", shared_issuer["app_port"], app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{shared_issuer['app_port']}"
    server.shutdown()
    server.server_close()


def test_an_admin_at_council_b_signing_in_there_gains_nothing_at_council_a(shared_site):
    app, base = shared_site
    browser, response = sign_in_with_sso(base, A, "pat")
    assert "Signed in as <strong>Pat Shared</strong>\n          (Practitioner)" in response.text
    assert browser.get(f"{base}/{A}/admin/directory/", allow_redirects=False).status_code == 404

    browser, response = sign_in_with_sso(base, B, "pat", browser)
    assert response.status_code == 200
    assert browser.get(f"{base}/{B}/admin/directory/").status_code == 200
    for path in (f"/{A}/admin/directory/", f"/{A}/admin/directory/export.csv", f"/{A}/cases/"):
        assert browser.get(base + path, allow_redirects=False).status_code == 404, path

    from core.model.records import User, db

    with app.app_context():
        users = {u.council: u.roles for u in db.session.scalars(db.select(User).filter_by(subject="pat"))}
    assert users == {A: ["practitioner"], B: ["council-admin", "safeguarding-lead"]}


def test_an_unverified_email_is_refused(shared_site):
    _, base = shared_site
    browser, response = sign_in_with_sso(base, A, "unverified")
    assert response.status_code == 400
    assert "has not verified your email address" in response.text
    assert browser.get(f"{base}/{A}/cases/", allow_redirects=False).status_code == 302


def test_a_second_subject_with_a_bound_email_gets_no_authority(shared_site):
    _, base = shared_site
    teacher = requests.Session()
    teacher.post(f"{base}/{A}/api/dev/session", json={"email": "teacher.demo@wdc.example.org", "role": "practitioner"})
    reference = teacher.post(f"{base}/{A}/api/cases", json={"process": "escalation", "answers": {
        "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
        "decision": "Closed.", "disagreement": "New concerns.", "tried": "Talked."}}).json()["reference"]

    first, _ = sign_in_with_sso(base, A, "hoe")
    assert first.get(f"{base}/{A}/api/cases/{reference}").status_code == 200

    second, response = sign_in_with_sso(base, A, "hoe-again")
    assert "Signed in as <strong>Second Subject</strong>" in response.text
    assert second.get(f"{base}/{A}/api/cases/{reference}").status_code == 404

    # Two identities now claim the email: neither holds the rung until an admin says who is who.
    assert first.get(f"{base}/{A}/api/cases/{reference}").status_code == 404
    admin, _ = sign_in_with_sso(base, A, "wdc-admin")
    page = admin.get(f"{base}/{A}/admin/directory/").text
    assert "Who is head.establishment@wdc.example.org" in page and "Second Subject, signed in through" in page
    head = re.search(r'id="identity-(\d+)" name="identity" type="radio" value="\d+">\s*<label[^>]*>Head Example',
                     page).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    admin.post(f"{base}/{A}/admin/directory/conflicts", data={
        "csrf_token": token, "email": "head.establishment@wdc.example.org", "identity": head,
        "note": "Checked with the school: the first account is theirs."})
    assert first.get(f"{base}/{A}/api/cases/{reference}").status_code == 200
    assert second.get(f"{base}/{A}/api/cases/{reference}").status_code == 404
