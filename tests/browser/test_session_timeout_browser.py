"""The timeout warning in Chromium (#25, WCAG 2.2.1): a modal dialog that takes focus, is announced,
works from the keyboard, extends the session, and at zero says why you were signed out."""
import re
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_browser import accessibility_violations, policy_violations, watch_policy_violations

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser


@pytest.fixture
def app(make_app):
    # A one-minute session, warned 57 seconds ahead: the dialog opens about 3 seconds after a page loads.
    return make_app(SESSION_IDLE_MINUTES=1, SESSION_WARN_SECONDS=57)


def sign_in(browser, live_server):
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys("teacher.demo@wdc.example.org")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=practitioner]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))


def dialog_open(browser):
    return browser.execute_script("return document.getElementById('app-timeout').open")


def test_the_warning_takes_focus_and_stay_signed_in_keeps_the_session(live_server, browser):
    watch_policy_violations(browser)
    sign_in(browser, live_server)
    browser.get(f"{live_server}/{WDC}/cases/")
    assert "signed out after 1 minute without activity" in browser.find_element(By.CSS_SELECTOR, "[data-testid=session-end]").text
    assert not dialog_open(browser)

    WebDriverWait(browser, 10).until(dialog_open)
    dialog = browser.find_element(By.ID, "app-timeout")
    assert "You’re about to be signed out" in dialog.text and "Stay signed in" in dialog.text
    assert re.search(r"sign you out in \d+ seconds", dialog.text)
    assert browser.switch_to.active_element.get_attribute("id") == "app-timeout-title", "focus moves into the dialog"
    assert dialog.get_attribute("aria-labelledby") == "app-timeout-title"
    assert dialog.get_attribute("aria-describedby") == "app-timeout-text"
    assert browser.execute_script("return document.querySelector('main').matches(':modal') === false"
                                  " && document.getElementById('app-timeout').matches(':modal')"), "the page behind is inert"
    assert accessibility_violations(browser) == [], "with the dialog open"

    browser.switch_to.active_element.send_keys(Keys.TAB)
    assert browser.switch_to.active_element.text == "Stay signed in"
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    WebDriverWait(browser, 5).until(lambda b: not dialog_open(b))
    assert browser.current_url.endswith(f"/{WDC}/cases/"), "still signed in, on the same page"

    WebDriverWait(browser, 10).until(dialog_open)  # a minute again, so the warning comes back
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)  # Escape is "Stay signed in" too
    WebDriverWait(browser, 5).until(lambda b: not dialog_open(b))
    assert browser.current_url.endswith(f"/{WDC}/cases/")
    assert policy_violations(browser) == []


def test_at_zero_the_page_goes_to_sign_in_and_says_why(live_server, browser, clock):
    sign_in(browser, live_server)
    # 29 seconds on (the session notes activity at most every 30): the page has 31 seconds left.
    clock.set(clock.now() + timedelta(seconds=29))
    browser.get(f"{live_server}/{WDC}/cases/")
    WebDriverWait(browser, 5).until(dialog_open)
    clock.set(clock.now() + timedelta(minutes=5))  # and the server's session has ended meanwhile
    WebDriverWait(browser, 45).until(shows.url_contains("timed_out=yes"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "You have been signed out" in main and "Sign in to West Dunbartonshire Council" in main
