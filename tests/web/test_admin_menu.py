"""A council admin's menu fits on one line (#25): the service navigation keeps the everyday items and
one "Manage" page lists the admin areas."""
import re

from core.testing import sign_in

WDC = "westdunbartonshire"


def nav_items(html):
    nav = html[html.index('<nav aria-label="Menu"'):]
    nav = nav[:nav.index("</nav>")]
    return [re.sub(r"<[^>]+>|\s+", " ", t).strip() for t in re.findall(r'<li class="govuk-service-navigation__item.*?</li>', nav, re.S)]


def test_an_admin_has_four_menu_items_and_a_manage_page_with_every_admin_area(client):
    sign_in(client, WDC, "admin@wdc.example.org", "council-admin")
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert nav_items(page) == ["Cases", "Raise a disagreement", "Reports", "Manage"]
    manage = client.get(f"/{WDC}/admin/").get_data(as_text=True)
    assert "<title>Manage the service" in manage
    for text, path in (("Directory", "/admin/directory/"), ("Calendar", "/admin/calendar/"),
                       ("Dry run", "/admin/dry-run/"), ("People", "/admin/people/"), ("Texts", "/admin/texts/"),
                       ("Themes", "/admin/themes"), ("Settings", "/admin/settings"), ("Audit trail", "/admin/audit/")):
        assert f'href="/{WDC}{path}">{text}</a>' in manage, text


def test_manage_is_only_for_council_admins(client):
    sign_in(client, WDC, "lead@wdc.example.org", "safeguarding-lead")
    assert client.get(f"/{WDC}/admin/").status_code == 404
    page = client.get(f"/{WDC}/cases/").get_data(as_text=True)
    assert "Manage" not in nav_items(page)
