"""Raising in Chromium (#25): Back after "Raise it" never asks to resubmit a form,
and the raiser sees a GOV.UK confirmation panel."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_browser import accessibility_violations, policy_violations, watch_policy_violations

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser


def dev_sign_in(browser, live_server, email, role="practitioner"):
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))


def continue_through(browser, answers):
    """Answer the question pages one by one (typed answers by field id), until "Check your answers"."""
    for _ in range(20):
        if "Check your answers" in browser.title:
            return
        browser.implicitly_wait(0)  # a question not on this page is looked for once, not for 3 seconds
        for name, value in answers.items():
            found = browser.find_elements(By.ID, name)
            if found and found[0].is_displayed() and not found[0].get_attribute("value"):
                found[0].send_keys(value)
        browser.implicitly_wait(3)
        page = browser.find_element(By.TAG_NAME, "html")
        browser.find_element(By.CSS_SELECTOR, "#main-content form button.govuk-button").click()
        # The next page, whatever it is: the one posted from may itself have been an error page.
        WebDriverWait(browser, 5).until(shows.staleness_of(page))
        assert "Error:" not in browser.title, browser.find_element(By.CLASS_NAME, "govuk-error-summary").text
    raise AssertionError("never reached Check your answers")


def fill_escalation(browser):
    browser.find_element(By.CSS_SELECTOR, "input[name=agency][value='Education Services']").click()
    browser.find_element(By.CSS_SELECTOR, "input[name=learning_community][value='Vale of Leven']").click()
    continue_through(browser, {"other_agency": "Social work area team", "decision": "The referral was closed.",
                               "disagreement": "New concerns the same week.", "tried": "Spoke to the allocated worker."})


def test_back_after_raising_shows_the_form_not_a_resubmission_and_change_keeps_answers(live_server, browser):
    watch_policy_violations(browser)
    dev_sign_in(browser, live_server, "teacher.demo@wdc.example.org")
    browser.get(f"{live_server}/{WDC}/cases/new/escalation")
    fill_escalation(browser)
    WebDriverWait(browser, 5).until(shows.title_contains("Check your answers"))
    assert browser.current_url.endswith("/cases/new/escalation/check")
    assert accessibility_violations(browser) == [], "check your answers"

    # Change goes to the page that asks it, with the answer kept, then straight back to the check page.
    browser.find_element(By.XPATH, "//a[contains(., 'Change') and contains(., 'what was decided')]").click()
    WebDriverWait(browser, 5).until(shows.url_contains("change="))
    assert browser.find_element(By.ID, "decision").get_attribute("value") == "The referral was closed."
    assert browser.find_elements(By.ID, "tried") == [], "one thing on the page"
    browser.find_element(By.ID, "decision").clear()
    browser.find_element(By.ID, "decision").send_keys("The referral was closed. Again.")
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

    browser.back()  # to "Check your answers", which has nothing left to check: the form's first page
    WebDriverWait(browser, 5).until(shows.title_contains("Raise a disagreement"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "ERR_CACHE_MISS" not in browser.page_source and "Confirm Form Resubmission" not in browser.page_source
    assert "You raised WDC-2026-0001" in main
    browser.find_element(By.LINK_TEXT, "Go to WDC-2026-0001").click()
    WebDriverWait(browser, 5).until(shows.title_contains("WDC-2026-0001"))
    browser.get(f"{live_server}/{WDC}/cases/")
    assert "WDC-2026-0002" not in browser.find_element(By.TAG_NAME, "main").text
    assert policy_violations(browser) == []
