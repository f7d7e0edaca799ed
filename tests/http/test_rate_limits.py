"""Sign-in, the OIDC callback, API writes and every form post are rate limited per client address."""
import re
import uuid

import pytest

from core.config import ConfigError
from core.testing import require_service, sign_in

WDC = "westdunbartonshire"
ESCALATION = {"process": "escalation", "answers": {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
    "decision": "Closed.", "disagreement": "New concerns.", "tried": "Phoned the worker."}}
# Day-long windows, so a window never ends in the middle of a test.
ALICE, BOB = {"REMOTE_ADDR": "192.0.2.10"}, {"REMOTE_ADDR": "192.0.2.20"}


def dev_session(client, email="teacher.demo@wdc.example.org", role="practitioner"):
    return client.post(f"/{WDC}/api/dev/session", json={"email": email, "role": role})


def test_sign_in_beyond_the_limit_is_refused_with_retry_after(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="3/day")
    client = app.test_client()
    assert [dev_session(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = dev_session(client)
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 86400
    assert "Too many attempts" in refused.get_json()["error"]
    sso = client.get(f"/{WDC}/sign-in/sso")  # the same bucket: every way of signing in
    assert sso.status_code == 429 and "Retry-After" in sso.headers
    assert "Too many attempts" in sso.get_data(as_text=True)


def test_the_development_sign_in_page_says_to_wait(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="1/day")
    client = app.test_client()
    for expected in (302, 429):
        page = client.get(f"/{WDC}/dev/sign-in").get_data(as_text=True)
        token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
        response = client.post(f"/{WDC}/dev/sign-in", data={
            "csrf_token": token, "email": "teacher.demo@wdc.example.org", "role": "practitioner"})
        assert response.status_code == expected
    assert "Too many attempts from your network" in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0


def test_the_limit_is_per_client_address(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="2/day")
    alice, bob = app.test_client(), app.test_client()
    alice.environ_base.update(ALICE)
    bob.environ_base.update(BOB)
    assert [dev_session(alice).status_code for _ in range(3)] == [200, 200, 429]
    assert dev_session(bob).status_code == 200


def test_the_oidc_callback_is_limited(make_app):
    app = make_app(RATE_LIMIT_CALLBACK="2/day")
    client = app.test_client()
    statuses = [client.get(f"/{WDC}/auth/callback?code=x&state=y").status_code for _ in range(3)]
    assert statuses == [400, 400, 429]


def test_api_writes_are_limited_and_reads_are_not(make_app):
    app = make_app(RATE_LIMIT_API_WRITE="2/day")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")  # counts as a sign-in
    assert [client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code for _ in range(2)] == [201, 201]
    refused = client.post(f"/{WDC}/api/cases", json=ESCALATION)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert all(client.get(f"/{WDC}/api/processes").status_code == 200 for _ in range(5))


def test_api_writes_turned_off_are_never_refused_and_sign_in_is_still_limited(make_app):
    app = make_app(RATE_LIMIT_API_WRITE="off", RATE_LIMIT_SIGN_IN="2/day")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")  # the first of two sign-ins
    assert {client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code for _ in range(4)} == {201}
    assert [dev_session(client).status_code for _ in range(2)] == [200, 429]


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


RAISE_FORM = {key: value for key, value in ESCALATION["answers"].items()}


def test_the_raise_form_beyond_the_limit_gets_a_page_saying_to_wait_and_opens_no_case(make_app):
    app = make_app(RATE_LIMIT_FORM_WRITE="3/day")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    token = csrf(client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True))
    raised = [client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": token, **RAISE_FORM, "confirmed": "yes"})
              for _ in range(3)]
    assert [r.status_code for r in raised] == [303, 303, 303]
    refused = client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": token, **RAISE_FORM, "confirmed": "yes"})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 86400
    assert refused.mimetype == "text/html"
    page = refused.get_data(as_text=True)
    assert "govuk-template" in page and '<h1 class="govuk-heading-l">There is a problem</h1>' in page
    assert "Too many attempts from your network. Wait a little and try again." in page
    assert "West Dunbartonshire" in page, "the council's own page, signed in"
    cases = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert "WDC-2026-0003" in cases and "WDC-2026-0004" not in cases
    assert client.get(f"/{WDC}/cases/new/escalation").status_code == 200, "reading is not limited"
    assert client.post(f"/{WDC}/sign-out", data={"csrf_token": token}).status_code == 302, "signing out never is"


def test_every_form_post_shares_one_limit(make_app):
    app = make_app(RATE_LIMIT_FORM_WRITE="2/day")
    client = app.test_client()
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    token = csrf(client.get(f"/{WDC}/cases/new/escalation").get_data(as_text=True))
    assert client.post(f"/{WDC}/cases/new/escalation", data={"csrf_token": token, **RAISE_FORM}).status_code == 303  # on to "Check your answers"
    assert client.post(f"/{WDC}/cases/", data={"csrf_token": token}).status_code != 429
    refused = client.post(f"/{WDC}/cases/WDC-2026-0001/withdraw", data={"csrf_token": token})
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)
    assert client.post(f"/{WDC}/api/cases", json=ESCALATION).status_code == 201, "the API counts on its own"


PROXY = {"REMOTE_ADDR": "192.0.2.1"}


def test_behind_a_trusted_proxy_each_client_has_its_own_sign_in_limit(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="1/day", TRUSTED_PROXIES="1")
    client = app.test_client()
    client.environ_base.update(PROXY)
    alice, bob = {"X-Forwarded-For": "198.51.100.7"}, {"X-Forwarded-For": "198.51.100.8"}
    post = lambda who: client.post(f"/{WDC}/api/dev/session", headers=who,  # noqa: E731
                                   json={"email": "teacher.demo@wdc.example.org", "role": "practitioner"})
    assert [post(alice).status_code, post(alice).status_code] == [200, 429]
    assert post(bob).status_code == 200, "one client behind the proxy cannot use up everyone's sign-in"


def test_without_trusted_proxies_a_forwarded_for_header_buys_no_more_attempts(make_app):
    client = make_app(RATE_LIMIT_SIGN_IN="1/day").test_client()
    post = lambda address: client.post(f"/{WDC}/api/dev/session", headers={"X-Forwarded-For": address},  # noqa: E731
                                       json={"email": "teacher.demo@wdc.example.org", "role": "practitioner"})
    assert [post("198.51.100.7").status_code, post("198.51.100.8").status_code] == [200, 429]


@pytest.mark.parametrize("setting, value", [
    ("RATE_LIMIT_SIGN_IN", "lots"), ("RATE_LIMIT_CALLBACK", "0/minute"), ("RATE_LIMIT_API_WRITE", "10/fortnight"),
    ("RATE_LIMIT_FORM_WRITE", "many/minute"), ("RATELIMIT_STORAGE", "memcached://127.0.0.1"),
    ("TRUSTED_PROXIES", "-1"),
])
def test_a_bad_limit_setting_stops_start_up_naming_it(make_app, setting, value):
    with pytest.raises(ConfigError, match=f"CONCORD_{setting}"):
        make_app(**{setting: value})


def test_limits_come_from_the_environment(make_app, monkeypatch):
    monkeypatch.setenv("CONCORD_RATE_LIMIT_SIGN_IN", "1/day")
    client = make_app().test_client()
    assert [dev_session(client).status_code for _ in range(2)] == [200, 429]


@pytest.fixture
def redis_prefix():
    require_service("Redis", "127.0.0.1", 6379)
    import redis

    prefix = f"concord-test:{uuid.uuid4().hex}:"
    yield prefix
    store = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    keys = list(store.scan_iter(match=prefix + "*"))
    if keys:
        store.delete(*keys)


def test_with_redis_unreachable_requests_go_through_and_are_counted_in_memory(make_app):
    app = make_app(RATE_LIMIT_SIGN_IN="2/day", RATELIMIT_STORAGE="redis://127.0.0.1:1/0")  # nothing listens on port 1
    client = app.test_client()
    assert [dev_session(client).status_code for _ in range(3)] == [200, 200, 429]


def test_with_redis_the_limit_holds_across_two_web_processes(make_app, redis_prefix):
    settings = dict(RATE_LIMIT_SIGN_IN="3/day", RATELIMIT_STORAGE="redis://127.0.0.1:6379/0", RATELIMIT_PREFIX=redis_prefix)
    first, second = make_app(**settings).test_client(), make_app(keep_data=True, **settings).test_client()
    assert [dev_session(first).status_code for _ in range(2)] == [200, 200]
    assert dev_session(second).status_code == 200
    assert dev_session(second).status_code == 429
    assert dev_session(first).status_code == 429
