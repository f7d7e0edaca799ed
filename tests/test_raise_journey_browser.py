"""Raising in Chromium (#25): Back after "Raise it" never asks to resubmit a form,
and the raiser sees a GOV.UK confirmation panel."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from tests.test_browser import accessibility_violations, policy_violations, watch_policy_violations

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser


def dev_sign_in(browser, live_server, email, role="practitioner"):
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))


def fill_escalation(browser):
    browser.find_element(By.CSS_SELECTOR, "input[name=agency][value='Education Services']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=learning_community][value='Vale of Leven']").click()
    browser.find_element(By.ID, "other_agency").send_keys("Social work area team")
    browser.find_element(By.ID, "decision").send_keys("The referral was closed.")
    browser.find_element(By.ID, "disagreement").send_keys("New concerns the same week.")
    browser.find_element(By.ID, "tried").send_keys("Spoke to the allocated worker.")
    browser.find_element(By.CSS_SELECTOR, "#main-content form button.govuk-button").click()


def test_back_after_raising_shows_the_form_not_a_resubmission_and_change_keeps_answers(live_server, browser):
    watch_policy_violations(browser)
    dev_sign_in(browser, live_server, "teacher.demo@wdc.example.org")
    browser.get(f"{live_server}/{WDC}/cases/new/escalation")
    fill_escalation(browser)
    WebDriverWait(browser, 5).until(shows.title_contains("Check your answers"))
    assert browser.current_url.endswith("/cases/new/escalation/check")
    assert accessibility_violations(browser) == [], "check your answers"

    # Change goes back to the form with every answer kept, then on to the check page again.
    browser.find_element(By.PARTIAL_LINK_TEXT, "Change").click()
    WebDriverWait(browser, 5).until(shows.url_contains("change="))
    assert browser.find_element(By.ID, "decision").get_attribute("value") == "The referral was closed."
    browser.find_element(By.ID, "decision").send_keys(" Again.")
    browser.find_element(By.CSS_SELECTOR, "#main-content form button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Check your answers"))
    assert "The referral was closed. Again." in browser.find_element(By.TAG_NAME, "main").text

    browser.refresh()  # a GET: no "Confirm Form Resubmission"
    assert "Check your answers" in browser.title

    browser.find_element(By.CSS_SELECTOR, "button[name=confirmed]").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Your case has been raised"))
    panel = browser.find_element(By.CLASS_NAME, "govuk-panel--confirmation")
    assert "WDC-2026-0001" in panel.text
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "What happens next" in main and "Head of Establishment" in main
    assert accessibility_violations(browser) == [], "confirmation"

    browser.back()
    WebDriverWait(browser, 5).until(shows.title_contains("Raise a disagreement"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "ERR_CACHE_MISS" not in browser.page_source and "Confirm Form Resubmission" not in browser.page_source
    assert "You raised WDC-2026-0001" in main
    browser.find_element(By.LINK_TEXT, "Go to WDC-2026-0001").click()
    WebDriverWait(browser, 5).until(shows.title_contains("WDC-2026-0001"))
    browser.get(f"{live_server}/{WDC}/cases/")
    assert "WDC-2026-0002" not in browser.find_element(By.TAG_NAME, "main").text
    assert policy_violations(browser) == []
