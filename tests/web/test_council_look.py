"""Each council's own look from its plugin's data (#25): name, logo, colour and footer links in a
GOV.UK-style header and footer, with no forked templates, and the colour's contrast checked."""
import re

import pytest

from core.model.procedures import contrast
from core.plugin import FooterLink, Look
from core.runtime import concord

COUNCILS = ["westdunbartonshire", "gloucestershire", "leeds", "surrey", "dumfriesgalloway"]


@pytest.mark.parametrize("slug", COUNCILS)
def test_each_council_page_has_its_own_header_logo_colour_and_footer_links(app, client, slug):
    with app.app_context():
        council = concord().councils[slug]
    page = client.get(f"/{slug}/").get_data(as_text=True)
    header = page[page.index('<header'):page.index('</header>')]
    assert 'class="govuk-generic-header app-council-header"' in header
    assert f'<span class="app-council-header__name">{council.name}</span>' in header
    assert f'<img class="app-council-header__logo" src="/{slug}/look/logo.svg" alt=""' in header
    assert f'<link rel="stylesheet" href="/{slug}/look/style.css">' in page
    footer = page[page.index('data-testid="council-links"'):]
    for link in council.look.footer_links:
        assert f'href="{link.href}">{link.text}</a>' in footer

    css = client.get(f"/{slug}/look/style.css")
    assert css.mimetype == "text/css" and council.look.colour in css.get_data(as_text=True)
    logo = client.get(f"/{slug}/look/logo.svg")
    assert logo.mimetype == "image/svg+xml" and logo.get_data(as_text=True).startswith("<svg")
    assert contrast(council.look.colour, "#ffffff") >= 4.5


def test_the_council_list_has_concords_own_header(client):
    page = client.get("/").get_data(as_text=True)
    header = page[page.index('<header'):page.index('</header>')]
    assert "app-concord-header" in header and "Concord" in header and "look/logo.svg" not in header


def test_a_colour_white_text_cannot_be_read_on_is_refused():
    with pytest.raises(ValueError, match="under 4.5:1"):
        Look(colour="#ffdd00")
    assert Look(colour="#1d70b8").colour == "#1d70b8"


def test_a_logo_with_script_or_a_plain_http_link_is_refused():
    with pytest.raises(ValueError, match="without script"):
        Look(logo_svg='<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    with pytest.raises(ValueError, match="without script"):
        Look(logo_svg='<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>')
    with pytest.raises(ValueError, match="https"):
        Look(footer_links=(FooterLink("Council", "http://council.example.org/"),))


def test_a_council_without_a_look_gets_a_plain_header_and_no_logo(make_app):
    from core import testing_council

    client = make_app(PLUGINS=[testing_council.plugin]).test_client()
    page = client.get("/testshire/").get_data(as_text=True)
    assert "app-council-header" in page and "app-council-header__logo" not in page
    assert client.get("/testshire/look/logo.svg").status_code == 404
    assert "#0b0c0c" in client.get("/testshire/look/style.css").get_data(as_text=True)


def test_no_template_is_forked_per_council():
    from pathlib import Path

    for plugin in Path(__file__).parents[2].glob("plugins/*/concord_*"):
        assert not list(plugin.rglob("*.html")), plugin
    assert not re.search(r"council\.slug ?== ?", (Path(__file__).parents[2] / "core/templates/base.html").read_text())
