"""Every response carries the security headers; pages hold no inline style, and no inline script but GOV.UK's own with this response's nonce."""
import re

import pytest

from core.testing import sign_in

WDC = "westdunbartonshire"
ESCALATION = {"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Social work area team",
    "decision": "Case closed.", "disagreement": "New concerns.", "tried": "Talked to the worker."}}


def raised_case(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    reference = client.post(f"/{WDC}/api/cases", json=ESCALATION).get_json()["reference"]
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    return reference


def case_data_paths(client):
    reference = raised_case(client)
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    return [f"/{WDC}/cases/", f"/{WDC}/cases/{reference}", f"/{WDC}/api/cases/{reference}"]


def test_a_safeguarding_leads_case_pages_api_and_exports_carry_the_security_headers(client):
    paths = case_data_paths(client)
    responses = {path: client.get(path) for path in paths}
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    for path in (f"/{WDC}/admin/directory/", f"/{WDC}/admin/directory/export.csv", "/", f"/{WDC}/",
                 "/api/openapi.json", f"/{WDC}/no-such-page"):
        responses[path] = client.get(path)
    for path, response in responses.items():
        assert response.status_code in (200, 404), path
        csp = response.headers.get("Content-Security-Policy", "")
        for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'",
                          "object-src 'none'", "base-uri 'none'"):
            assert directive in csp, (path, csp)
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert response.headers.get("X-Frame-Options") == "DENY", path
        assert response.headers.get("X-Content-Type-Options") == "nosniff", path
        assert response.headers.get("Referrer-Policy") == "same-origin", path
        assert "no-store" in response.headers.get("Cache-Control", ""), path
        assert "Strict-Transport-Security" not in response.headers, "HSTS only in production"


def test_the_govuk_assets_may_be_cached(client):
    response = client.get("/assets/govuk-frontend.min.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")
    assert response.headers["X-Content-Type-Options"] == "nosniff"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
NONCE = re.compile(r"'nonce-([^']+)'")
INLINE = [
    (INLINE_SCRIPT, "an inline <script> without this response's nonce"),
    (re.compile(r"<style", re.I), "a <style> element"),
    (re.compile(r"\sstyle=", re.I), "a style attribute"),
    (re.compile(r"\son[a-z]+=", re.I), "an event-handler attribute"),
]


POLICY = ("default-src 'self'; script-src 'self'{}; style-src 'self'; img-src 'self'; font-src 'self'; "
          "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")


def test_a_page_names_a_fresh_nonce_and_the_api_and_assets_name_none_with_every_other_header_alike(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    pages = [client.get("/"), client.get(f"/{WDC}/")]
    others = [client.get(f"/{WDC}/api/cases"), client.get("/assets/govuk-frontend.min.css")]
    nonces = [NONCE.search(page.headers["Content-Security-Policy"]).group(1) for page in pages]
    assert len(set(nonces)) == 2
    for page, nonce in zip(pages, nonces, strict=True):
        assert page.headers["Content-Security-Policy"] == POLICY.format(f" 'nonce-{nonce}'")
        assert f'<script nonce="{nonce}">' in page.get_data(as_text=True)
    for response in others:
        assert response.headers["Content-Security-Policy"] == POLICY.format("")  # runs no script: names none
    for response in pages + others:
        assert response.status_code == 200
        assert {name: response.headers.get(name) for name in (
            "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Permissions-Policy")} == {
            "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
            "Permissions-Policy": "browsing-topics=()"}
        assert response.headers.getlist("Content-Security-Policy") == [response.headers["Content-Security-Policy"]]


def test_no_page_holds_inline_script_or_style_so_the_strict_policy_breaks_nothing(client):
    reference = raised_case(client)
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    paths = ["/", f"/{WDC}/", f"/{WDC}/cases/", f"/{WDC}/cases/new", f"/{WDC}/cases/new/escalation",
             f"/{WDC}/cases/{reference}", f"/{WDC}/dev/mail/"]
    pages = {path: client.get(path) for path in paths}
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    for path in (f"/{WDC}/admin/directory/", f"/{WDC}/admin/directory/history", f"/{WDC}/admin/calendar/"):
        pages[path] = client.get(path)
    client.post(f"/{WDC}/sign-out")
    pages[f"/{WDC}/dev/sign-in"] = client.get(f"/{WDC}/dev/sign-in")
    pages[f"/{WDC}/sign-in"] = client.get(f"/{WDC}/sign-in")
    nonces = set()
    for path, response in pages.items():
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        script_src = next(d for d in response.headers["Content-Security-Policy"].split(";") if "script-src" in d)
        nonce = NONCE.search(script_src).group(1)
        assert len(nonce) >= 32 and nonce not in nonces, "a fresh nonce on every response"
        nonces.add(nonce)
        # GOV.UK's template marks the body js-enabled inline; the policy lets only that script run.
        assert html.count(f'<script nonce="{nonce}">document.body.className') == 1, path
        html = html.replace(f'<script nonce="{nonce}">', "<nonced-inline>")
        for pattern, what in INLINE:
            assert not pattern.search(html), f"{path} has {what}: {pattern.search(html).group(0)}"


@pytest.fixture
def production_app(make_app, migrated):
    if migrated.startswith("sqlite"):
        pytest.skip("production runs on PostgreSQL only")
    return make_app(CONCORD_ENV="production", DEV_SIGN_IN=False, SECRET_KEY="Kq3-vX9_pL2mZ8rT5wN1yB7cF4hJ6dG0sA", MAIL_TRANSPORT="smtp",
                    SMTP_HOST="127.0.0.1", SMTP_STARTTLS=True, BASE_URL="https://concord.example.org",
                    BROKER_URL="redis://127.0.0.1:6379/15")


def test_production_asks_browsers_to_use_https_only(production_app):
    response = production_app.test_client().get("/", base_url="https://concord.example.org")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_an_error_page_and_the_rate_limit_page_carry_a_nonce_the_policy_names(make_app):
    client = make_app(RATE_LIMIT_SIGN_IN="1/day").test_client()
    pages = [client.get(f"/{WDC}/no-such-page")]
    for _ in range(2):
        pages.append(client.get(f"/{WDC}/sign-in/sso"))
    assert [p.status_code for p in pages][::2] == [404, 429]
    for page in pages[::2]:
        nonce = NONCE.search(page.headers["Content-Security-Policy"]).group(1)
        assert f'<script nonce="{nonce}">' in page.get_data(as_text=True)
        assert page.headers["Cache-Control"] == "no-store"
