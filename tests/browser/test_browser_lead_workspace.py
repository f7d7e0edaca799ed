"""The safeguarding lead's workspace in Chromium: filter, page, search, export, print — accessible at 320 px and desktop."""
import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import Select, WebDriverWait

from core.testing import london, sign_in

from .test_browser import accessibility_violations

WDC = "westdunbartonshire"
pytestmark = pytest.mark.browser
DISSENT = {
    "conference_date": "2026-10-01", "chair_name": "Ari Vance", "chair_email": "chair@wdc.example.org",
    "agency": "Health", "decision": "No plan.", "reasons": "Risk remains.\nSecond paragraph.",
}
ESCALATION = {
    "agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Social work team",
    "decision": "Closed the referral.", "disagreement": "New concerns.", "tried": "Spoke to the worker.",
}


def seed(app, clock):
    """30 overdue conference dissents, 5 overdue escalations and 5 fresh dissents, through the API."""
    client = app.test_client()
    references = []
    for process, answers, when, n in (("conference-dissent", DISSENT, london(2026, 10, 2, 9, 0), 30),
                                      ("escalation", ESCALATION, london(2026, 10, 2, 9, 0), 5),
                                      ("conference-dissent", {**DISSENT, "conference_date": "2026-11-23"},
                                       london(2026, 11, 23, 15, 0), 5)):
        clock.set(when)
        sign_in(client, WDC, "teacher.demo@wdc.example.org")
        for _ in range(n):
            made = client.post(f"/{WDC}/api/cases", json={"process": process, "answers": answers})
            assert made.status_code == 201, made.get_json()
            references.append(made.get_json()["reference"])
    clock.set(london(2026, 11, 24, 10, 0))
    return references


def accessible_at_both_widths(browser, where):
    """axe-core's WCAG 2.2 AA rules find nothing, at 320 px wide and at desktop width."""
    try:
        for width, mobile in ((320, True), (1200, False)):
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": mobile})
            assert accessibility_violations(browser) == [], f"{where} at {width} px"
            if width == 320:
                overflow = browser.execute_script(
                    "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, f"{where} clips or scrolls sideways at 320 px"
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def count_shows(browser, words):
    """Wait for the list's count to read ``words`` after a form is sent. The old page may be going as
    Chromium is asked for the count ("Node with given id does not belong to the document"): ask again."""
    WebDriverWait(browser, 5, ignored_exceptions=(WebDriverException,)).until(
        shows.text_to_be_present_in_element((By.ID, "case-count"), words))


def test_a_safeguarding_lead_filters_pages_searches_exports_and_prints(app, clock, live_server, browser):
    references = seed(app, clock)
    overdue_dissents = references[:30]

    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys("lead@wdc.example.org")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=safeguarding-lead]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))

    browser.find_element(By.LINK_TEXT, "Cases").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Cases"))
    assert "Showing 1 to 25 of 40 cases" in browser.find_element(By.ID, "case-count").text
    accessible_at_both_widths(browser, "the lead's list")

    Select(browser.find_element(By.ID, "filter-status")).select_by_visible_text("Overdue")
    Select(browser.find_element(By.ID, "filter-process")).select_by_visible_text(
        "Record a dissent from a child protection case conference")
    browser.find_element(By.XPATH, "//button[normalize-space()='Apply filters']").click()
    count_shows(browser, "of 30 cases")
    assert "Showing 1 to 25 of 30 cases" in browser.find_element(By.ID, "case-count").text
    accessible_at_both_widths(browser, "overdue dissents, page 1")

    browser.find_element(By.CSS_SELECTOR, ".govuk-pagination__next a").click()
    WebDriverWait(browser, 5).until(shows.title_contains("page 2 of 2"))
    assert "Showing 26 to 30 of 30 cases" in browser.find_element(By.ID, "case-count").text
    on_page_two = {a.text for a in browser.find_elements(By.CSS_SELECTOR, "tbody th a")}
    assert on_page_two == set(overdue_dissents[:5]), "oldest five of the thirty, newest first"
    accessible_at_both_widths(browser, "overdue dissents, page 2")

    wanted = overdue_dissents[17]
    browser.find_element(By.ID, "q").send_keys(wanted)
    browser.find_element(By.XPATH, "//button[normalize-space()='Search']").click()
    count_shows(browser, "of 1 case")
    assert wanted not in browser.current_url
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "tbody th a")] == [wanted]
    accessible_at_both_widths(browser, "search result")

    browser.find_element(By.XPATH, "//button[normalize-space()='Clear search']").click()
    count_shows(browser, "of 30 cases")
    csv_text = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "const form = document.querySelector('form.app-export');"
        "const url = form.action + '?' + new URLSearchParams(new FormData(form));"
        "fetch(url, {credentials: 'same-origin'}).then(r => r.text()).then(done);")
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("Reference,Process,Route,Stage,With")
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(overdue_dissents)
    assert "Risk remains" not in csv_text, "no free text unless the lead ticks it"

    browser.find_element(By.LINK_TEXT, overdue_dissents[-1]).click()
    WebDriverWait(browser, 5).until(shows.title_contains(overdue_dissents[-1]))
    assert "You are here" in browser.find_element(By.CSS_SELECTOR, "svg.app-ladder").get_attribute("innerHTML")
    accessible_at_both_widths(browser, "case page")
    browser.find_element(By.LINK_TEXT, "Printable record").click()
    WebDriverWait(browser, 5).until(shows.title_contains("the whole record"))
    main = browser.find_element(By.TAG_NAME, "main").text
    assert "Acknowledgement by the Head of Service" in main and "Drew Kestrel" in main
    accessible_at_both_widths(browser, "printable record")

    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not browser.find_element(By.CSS_SELECTOR, ".govuk-service-navigation").is_displayed()
        assert not browser.find_element(By.CSS_SELECTOR, "footer").is_displayed()
        assert browser.find_element(By.TAG_NAME, "h1").is_displayed()
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    pdf = browser.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True})
    assert len(pdf["data"]) > 1000


def test_the_site_pages_and_the_directory_are_accessible_at_both_widths(app, live_server, browser):
    for path in ("/accessibility", f"/{WDC}/privacy", f"/{WDC}/cookies", f"/{WDC}/help"):
        browser.get(live_server + path)
        accessible_at_both_widths(browser, path)
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@wdc.example.org")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=council-admin]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))
    for path in (f"/{WDC}/admin/directory/", f"/{WDC}/admin/directory/history", f"/{WDC}/cases/new/escalation"):
        browser.get(live_server + path)
        accessible_at_both_widths(browser, path)
