"""The session's end is said on every signed-in page, and "Stay signed in" extends it (#25, WCAG 2.2.1)."""
import re
from datetime import timedelta

from core.testing import london, sign_in

WDC = "westdunbartonshire"


def csrf(html):
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_every_signed_in_page_says_when_the_session_ends_without_javascript(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    said = re.sub(r"\s+", " ", page[page.index('data-testid="session-end"'):])
    assert "signed out after 30 minutes without activity: at 10:30" in said
    assert 'id="app-timeout"' in page and "Stay signed in" in page
    assert 'data-remaining="1800"' in page and 'data-warn="120"' in page
    assert '<script type="module" src="/assets/concord/timeout.js"></script>' in page


def test_pages_for_people_not_signed_in_have_no_timeout(client):
    page = client.get(f"/{WDC}/").get_data(as_text=True)
    assert "app-timeout" not in page and "timeout.js" not in page


def test_stay_signed_in_starts_the_idle_time_again(client, clock):
    clock.set(london(2026, 11, 24, 10, 0))
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    token = csrf(client.get(f"/{WDC}/cases/").get_data(as_text=True))
    clock.set(london(2026, 11, 24, 10, 29))
    kept = client.post(f"/{WDC}/session/keep", headers={"X-CSRFToken": token})
    assert kept.status_code == 200 and kept.get_json() == {"signed_in": True, "remaining": 1800}
    clock.set(london(2026, 11, 24, 10, 58))
    assert client.get(f"/{WDC}/cases/").status_code == 200, "29 minutes after staying signed in"
    clock.set(london(2026, 11, 24, 10, 58) + timedelta(minutes=31))
    assert client.get(f"/{WDC}/cases/").status_code == 302, "and signed out 31 minutes after the last page"


def test_stay_signed_in_needs_the_csrf_token_and_a_live_session(client, clock):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    assert client.post(f"/{WDC}/session/keep").status_code == 400
    token = csrf(client.get(f"/{WDC}/cases/").get_data(as_text=True))
    clock.set(clock.now() + timedelta(minutes=31))
    late = client.post(f"/{WDC}/session/keep", headers={"X-CSRFToken": token})
    # The ended session took its CSRF token with it: refused either way, and nothing is extended.
    assert late.status_code in (400, 401)
    assert client.get(f"/{WDC}/cases/").status_code == 302


def test_the_sign_in_page_says_why_after_a_timeout(client):
    page = client.get(f"/{WDC}/sign-in?timed_out=yes").get_data(as_text=True)
    assert "You have been signed out" in page and "nothing was done for 30 minutes" in page
