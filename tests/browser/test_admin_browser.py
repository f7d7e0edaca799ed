"""The admin's pages in Chromium (#25): the menu on one line, and the directory's email boxes wide
enough to show the addresses in them."""
import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as shows
from selenium.webdriver.support.ui import WebDriverWait

from tests.browser.test_browser import accessibility_violations

pytestmark = pytest.mark.browser
WDC = "westdunbartonshire"


def admin(browser, live_server):
    browser.get(f"{live_server}/{WDC}/dev/sign-in")
    browser.find_element(By.ID, "email").send_keys("admin@wdc.example.org")
    browser.find_element(By.CSS_SELECTOR, "input[name=role][value=council-admin]").click()
    browser.find_element(By.CSS_SELECTOR, "#main-content button.govuk-button").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Home"))


def test_the_admin_menu_is_one_line_and_manage_lists_the_areas(live_server, browser):
    admin(browser, live_server)
    browser.get(f"{live_server}/{WDC}/cases/")
    tops = {item.location["y"] for item in browser.find_elements(By.CSS_SELECTOR, ".govuk-service-navigation__item")}
    assert len(tops) == 1, "every menu item on one line at 1200 px"
    browser.find_element(By.LINK_TEXT, "Manage").click()
    WebDriverWait(browser, 5).until(shows.title_contains("Manage the service"))
    assert accessibility_violations(browser) == []


def test_the_directorys_email_boxes_show_whole_addresses(live_server, browser):
    admin(browser, live_server)
    browser.get(f"{live_server}/{WDC}/admin/directory/")
    boxes = browser.find_elements(By.CSS_SELECTOR, "main input[type=email]")
    assert boxes
    clipped = browser.execute_script(
        "return arguments[0].filter(i => i.scrollWidth > i.clientWidth).map(i => i.value)", boxes)
    assert clipped == []
