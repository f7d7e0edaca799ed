"""At 320 CSS pixels (WCAG 1.4.10 reflow, #25): no page scrolls sideways, long email addresses wrap,
the case list stacks so Due and Status are on screen, and the ladder and charts keep readable text
(they scroll inside their own box instead of shrinking)."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from core.testing import sign_in as api_sign_in
from tests.browser.test_browser import accessibility_violations

pytestmark = pytest.mark.browser
WDC = "westdunbartonshire"
ANSWERS = {"agency": "Education Services", "learning_community": "Vale of Leven", "other_agency": "Area team",
           "decision": "Closed.", "disagreement": "New concerns.", "tried": "Phoned the worker"}
# Whatever sticks out of the viewport, outside the boxes that scroll on purpose.
PAGE_WIDTH = """
const width = document.documentElement.clientWidth;
return [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > width + 1 && !e.closest('.app-table-scroll, .concord-scroll, .app-figure-scroll'))
  .map(e => e.tagName + '.' + e.className + ': ' + e.textContent.trim().slice(0, 40));"""
# The smallest text in each drawing, in CSS pixels as drawn (font-size times the drawing's scale).
SMALLEST_TEXT = """
return [...document.querySelectorAll(arguments[0])].map(svg => {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const sizes = [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) || 14);
  return Math.min(...sizes) * scale;
});"""


def narrow(browser, width=320):
    """A 320 px phone, or ("window") a 320 px desktop window: 1280 px at 400% zoom, scrollbar included."""
    if width == "window":
        browser.set_window_size(320, 900)
        return
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                            {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": True})


def dev_sign_in(browser, live_server, council, email, role):
    browser.get(f"{live_server}/{council}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys(email)
    browser.find_element(By.CSS_SELECTOR, f"input[name=role][value={role}]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 10).until(shows.title_contains("Home"))


def fits(browser):
    return browser.execute_script(PAGE_WIDTH) == []


@pytest.mark.parametrize("width", [320, "window"])
def test_gloucestershire_pages_do_not_scroll_sideways(live_server, browser, width):
    narrow(browser, width)
    dev_sign_in(browser, live_server, "gloucestershire", "worker@gcc.example.org", "practitioner")
    for path in ("/gloucestershire/", "/gloucestershire/cases/new", "/gloucestershire/cases/new/formal-dissent"):
        browser.get(live_server + path)
        assert fits(browser), (path, browser.execute_script(PAGE_WIDTH))


def test_the_case_list_stacks_with_due_and_status_on_screen(live_server, browser, client):
    api_sign_in(client, WDC, "teacher.demo@wdc.example.org")
    for _ in range(2):
        client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    narrow(browser)
    dev_sign_in(browser, live_server, WDC, "lead@wdc.example.org", "safeguarding-lead")
    browser.get(f"{live_server}/{WDC}/cases/")
    assert fits(browser)
    for cell in browser.find_elements(By.CSS_SELECTOR, ".app-table--cases td"):
        box = browser.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.left, r.right]", cell)
        assert 0 <= box[0] and box[1] <= 320, (cell.text, box)
    labels = browser.execute_script(
        "return [...document.querySelectorAll('.app-table--cases tbody tr:first-child td')]"
        ".map(td => [td.dataset.label, getComputedStyle(td, '::before').content !== 'none'])")
    assert labels == [["What", True], ["Where it is", True], ["Due", True], ["Status", True]], \
        "each stacked value says what it is"
    browser.save_screenshot("/tmp/wt25-case-list-320.png")
    roles = browser.execute_script(
        "const t = document.querySelector('.app-table--cases');"
        "return [t.getAttribute('role'), t.querySelector('td').getAttribute('role')]")
    assert roles == ["table", "cell"], "table semantics kept when the rows stack"
    assert accessibility_violations(browser) == []


def test_the_ladder_and_the_charts_keep_readable_text(live_server, browser, client):
    api_sign_in(client, WDC, "teacher.demo@wdc.example.org")
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    narrow(browser)
    dev_sign_in(browser, live_server, WDC, "lead@wdc.example.org", "safeguarding-lead")
    browser.get(f"{live_server}/{WDC}/cases/WDC-2026-0001")
    assert fits(browser)
    assert min(browser.execute_script(SMALLEST_TEXT, ".app-ladder")) >= 12
    browser.get(f"{live_server}/{WDC}/reports/")
    assert fits(browser)
    sizes = browser.execute_script(SMALLEST_TEXT, ".concord-chart")
    assert sizes and min(sizes) >= 11, sizes
    assert accessibility_violations(browser) == []


def test_printed_the_ladders_text_version_is_open(live_server, browser, client):
    api_sign_in(client, WDC, "teacher.demo@wdc.example.org")
    client.post(f"/{WDC}/api/cases", json={"process": "escalation", "answers": ANSWERS})
    dev_sign_in(browser, live_server, WDC, "lead@wdc.example.org", "safeguarding-lead")
    browser.get(f"{live_server}/{WDC}/cases/WDC-2026-0001")
    shown = "return document.querySelector('details.app-print-open ol').checkVisibility()"
    assert browser.execute_script(shown) is False, "closed on screen"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    assert browser.execute_script(shown) is True, "print styles open it"
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
    assert browser.find_element(By.CSS_SELECTOR, "details.app-print-open").get_attribute("open") is not None
    browser.execute_script("window.dispatchEvent(new Event('afterprint'))")
    assert browser.find_element(By.CSS_SELECTOR, "details.app-print-open").get_attribute("open") is None, \
        "closed again after printing"
