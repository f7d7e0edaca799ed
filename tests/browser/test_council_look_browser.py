"""The councils' looks in Chromium: the header in the council's colour, its logo drawn, and no
WCAG AA violation (axe checks the colour contrast) or Content-Security-Policy violation."""
import pytest
from selenium.webdriver.common.by import By

from tests.browser.test_browser import accessibility_violations, policy_violations, watch_policy_violations

pytestmark = pytest.mark.browser
COLOURS = {"westdunbartonshire": "rgba(111, 44, 145, 1)", "gloucestershire": "rgba(0, 102, 79, 1)",
           "leeds": "rgba(0, 90, 156, 1)", "surrey": "rgba(0, 51, 141, 1)", "dumfriesgalloway": "rgba(0, 95, 115, 1)"}


def test_each_council_shows_its_own_header_and_footer(live_server, browser):
    watch_policy_violations(browser)
    for slug, colour in COLOURS.items():
        browser.get(f"{live_server}/{slug}/")
        header = browser.find_element(By.CSS_SELECTOR, ".app-council-header")
        assert header.value_of_css_property("background-color") == colour, slug
        assert browser.execute_script(
            "const i = document.querySelector('.app-council-header__logo'); return i.complete && i.naturalWidth > 0"), slug
        name = browser.find_element(By.CSS_SELECTOR, ".app-council-header__name")
        assert name.value_of_css_property("color") == "rgba(255, 255, 255, 1)", slug
        links = browser.find_element(By.CSS_SELECTOR, "[data-testid=council-links]").text
        assert "Council" in links, slug
        assert accessibility_violations(browser) == [], slug
        assert policy_violations(browser) == [], slug
