"""The pages every service has: accessibility, privacy, cookies, help.

Each exists once for the whole site and once per council, where it can say
what that council keeps, for how long, and whom to contact.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from core.http.tenancy import council_blueprint

PAGES = (("accessibility", "Accessibility statement"), ("privacy", "Privacy notice"),
         ("cookies", "Cookies"), ("help", "Help and contact"))

bp = Blueprint("site", __name__)
council_bp = council_blueprint("council_site", __name__)


def _page(name):
    return render_template(f"site/{name}.html", title=dict(PAGES)[name], config=current_app.config,
                           councils=current_app.extensions["concord"].councils.values())


for _name, _ in PAGES:
    bp.add_url_rule(f"/{_name}", _name, lambda _name=_name: _page(_name))
    council_bp.add_url_rule(f"/{_name}", _name, lambda _name=_name: _page(_name))
