"""In Chromium: a council admin previews and confirms a closure day, and dry runs a procedure; axe finds nothing."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_browser import accessibility_violations

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser


def sign_in_as(browser, live_server, email, role):
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))


def fill_date(browser, prefix, day, month, year):
    for part, value in (("day", day), ("month", month), ("year", year)):
        field = browser.find_element(By.ID, f"{prefix}-{part}")
        field.clear()
        field.send_keys(value)


def test_a_council_admin_previews_a_closure_day_then_dry_runs_a_dissent(live_server, browser, app, client):
    from core.testing import sign_in

    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    answers = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Team",
               "decision": "d", "disagreement": "w", "tried": "t"}
    reference = client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": answers}).get_json()["reference"]

    sign_in_as(browser, live_server, "admin@wdc.example.org", "council-admin")
    browser.get(f"{live_server}/{WDC}/admin/calendar/")
    assert "Bank holidays in Scotland, 2026" in browser.find_element(By.TAG_NAME, "main").text
    fill_date(browser, "closure-day", "27", "11", "2026")
    browser.find_element(By.ID, "closure-reason").send_keys("Council closure day")
    browser.find_element(By.XPATH, "//button[normalize-space()='Add closure day']").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Check the change"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert f"{reference} Head of Establishment Wednesday 2 December 2026 Thursday 3 December 2026" in main
    assert accessibility_violations(browser) == [], "calendar change preview"
    browser.find_element(By.XPATH, "//button[normalize-space()='Confirm']").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Calendar"))
    assert "1 open stage moved" in browser.find_element(By.CLASS_NAME, "govuk-notification-banner").text

    browser.find_element(By.LINK_TEXT, "Manage").click()
    browser.find_element(By.LINK_TEXT, "Dry run").click()
    assert accessibility_violations(browser) == [], "dry run start"
    browser.find_element(By.CSS_SELECTOR, "input[name=which][value=conference-dissent]").click()
    fill_date(browser, "start", "27", "11", "2026")
    browser.find_element(By.XPATH, "//button[normalize-space()='Start the dry run']").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Dry run: "))
    stages = browser.find_element(By.CSS_SELECTOR, "[data-testid=stages]").text
    # The closure day on Friday 27 makes Tuesday 1 December day 0: due Wednesday 2 December.
    assert "Wednesday 2 December 2026" in stages
    assert accessibility_violations(browser) == [], "dry run"
    browser.find_element(By.CSS_SELECTOR, "input[name=outcome][value=acknowledged]").click()
    fill_date(browser, "day", "2", "12", "2026")
    browser.find_element(By.XPATH, "//button[normalize-space()='Take this step']").click()
    WebDriverWait(browser, 5).until(shows.text_to_be_present_in_element((By.TAG_NAME, "main"), "Next step at Full review"))
    assert "Wednesday 16 December 2026" in browser.find_element(By.CSS_SELECTOR, "[data-testid=stages]").text
    assert accessibility_violations(browser) == [], "dry run after a step"
