"""A question asked for one route only, in a real browser: West Dunbartonshire's learning
community appears when Education is chosen, and a social worker is never asked it."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser


def sign_in(browser, live_server, email):
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=practitioner]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))


def test_the_learning_community_is_revealed_for_education_only(live_server, browser):
    sign_in(browser, live_server, "social.worker@wdc.example.org")
    browser.get(f"{live_server}/{WDC}/cases/new/escalation")
    # GOV.UK radios are drawn over a transparent input, so look at the question's legend.
    community = browser.find_element(By.XPATH, "//legend[contains(., \"The child's learning community\")]")
    assert not community.is_displayed(), "hidden until a route that needs it is chosen"

    browser.find_element(By.CSS_SELECTOR, "input[name=agency][value='Education Services']").click()
    assert community.is_displayed()
    browser.find_element(By.CSS_SELECTOR, "input[name=agency][value='Social Work Services']").click()
    assert not community.is_displayed()

    from tests.browser.test_raise_journey_browser import continue_through

    continue_through(browser, {"other_agency": "Health visiting team", "decision": "Visits reduced to monthly.",
                               "disagreement": "Concerns about weight loss.", "tried": "Spoke to the health visitor."})
    WebDriverWait(browser, 5).until(shows.title_contains("Check your answers"))
    answers = browser.find_element(By.CLASS_NAME, "govuk-summary-list").text
    assert "learning community" not in answers, "a question not asked is not shown back"
    browser.find_element(By.CSS_SELECTOR, "button[name=confirmed]").click()
    WebDriverWait(browser, 5).until(shows.title_contains("WDC-2026-0001"))
    assert "Team Leader (Social Work)" in browser.find_element(By.TAG_NAME, "main").text
