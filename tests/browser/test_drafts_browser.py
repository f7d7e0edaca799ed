"""Question pages and drafts in Chromium (#25): one thing a page, Save and come back later, the
saved answers listed under Your cases and continued where they were left."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_browser import accessibility_violations, policy_violations, watch_policy_violations
from tests.browser.test_raise_journey_browser import dev_sign_in

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser


def test_a_teacher_saves_half_a_form_and_continues_it_later(live_server, browser):
    watch_policy_violations(browser)
    dev_sign_in(browser, live_server, "teacher.demo@wdc.example.org")
    browser.get(f"{live_server}/{WDC}/cases/new/escalation")
    browser.find_element(By.CSS_SELECTOR, "input[name=agency][value='Social Work Services']").click()
    browser.find_element(By.XPATH, "//button[normalize-space()='Continue']").click()
    WebDriverWait(browser, 5).until(shows.url_contains("/escalation/2"))
    heading = browser.find_element(By.TAG_NAME, "h1")
    assert heading.text == "Which agency or team made the decision?", "the one question is the heading"
    assert heading.find_element(By.TAG_NAME, "label").get_attribute("for") == "other_agency"
    assert accessibility_violations(browser) == [], "a question page"
    browser.find_element(By.ID, "other_agency").send_keys("Area team")
    browser.find_element(By.XPATH, "//button[normalize-space()='Save and come back later']").click()

    WebDriverWait(browser, 5).until(shows.title_contains("Your cases"))
    banner = browser.find_element(By.CLASS_NAME, "govuk-notification-banner").text
    assert "are saved until" in banner
    saved = browser.find_element(By.CSS_SELECTOR, "[data-testid=drafts]").text
    assert "Raise a disagreement with another agency" in saved and "Kept until" in saved
    assert accessibility_violations(browser) == [], "your cases with a draft"

    browser.find_element(By.XPATH, "//dl[@data-testid='drafts']//a[contains(., 'Continue')]").click()
    WebDriverWait(browser, 5).until(shows.url_contains("/escalation/3"))
    browser.find_element(By.LINK_TEXT, "Back").click()
    WebDriverWait(browser, 5).until(shows.url_contains("/escalation/2"))
    assert browser.find_element(By.ID, "other_agency").get_attribute("value") == "Area team"
    assert policy_violations(browser) == []


def test_a_long_forms_task_list_is_accessible_and_leads_into_a_section(live_server, browser):
    browser.get(f"{live_server}/gloucestershire/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys("worker@gcc.example.org")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=practitioner]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))
    browser.get(f"{live_server}/gloucestershire/cases/new/formal-dissent")
    browser.find_element(By.LINK_TEXT, "See all the sections of this form").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Sections"))
    assert "Not yet started" in browser.find_element(By.CLASS_NAME, "govuk-task-list").text
    assert accessibility_violations(browser) == []
    browser.find_element(By.LINK_TEXT, "About you").click()
    WebDriverWait(browser, 5).until(shows.url_contains("sections=yes"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "About you"
    assert accessibility_violations(browser) == [], "a page of several questions"
