"""Signing out is a form post with its CSRF token; a link or a forged post cannot sign anyone out."""
import re

from core.testing import sign_in

WDC, GCC = "westdunbartonshire", "gloucestershire"


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def signed_in(client):
    return client.get(f"/{WDC}/cases/").status_code == 200


def test_a_teacher_signs_out_with_the_button_in_the_header(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    page = client.get(f"/{WDC}/").get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', page, re.S)
    assert form.group(1) == f"/{WDC}/sign-out" and "Sign out" in form.group(2)
    response = client.post(form.group(1), data={"csrf_token": csrf(form.group(2))})
    assert response.status_code == 302 and response.headers["Location"] == f"/{WDC}/"
    assert not signed_in(client)


def test_a_link_to_sign_out_does_nothing_and_says_which_method_to_use(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    response = client.get(f"/{WDC}/sign-out")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) == {"POST", "OPTIONS"}
    assert "That action is not available on this page" in response.get_data(as_text=True)
    assert signed_in(client)


def test_a_forged_sign_out_without_the_token_is_refused(client):
    sign_in(client, WDC, "teacher.demo@wdc.example.org")
    assert client.post(f"/{WDC}/sign-out").status_code == 400
    assert signed_in(client)


def test_sso_sign_out_is_not_found_where_the_council_has_no_sso(client):
    sign_in(client, GCC, "worker@gcc.example.org")
    page = client.get(f"/{GCC}/").get_data(as_text=True)
    for method in (client.get, client.post):
        response = method(f"/{GCC}/sign-out/sso", data={"csrf_token": csrf(page)})
        assert response.status_code == 404
        assert "Page not found" in response.get_data(as_text=True)
    assert client.get(f"/{GCC}/cases/").status_code == 200
