"""The OpenAPI document describes every API route the app serves."""
import re


def test_every_api_route_is_in_the_openapi_document(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    served = set()
    for rule in app.url_map.iter_rules():
        if "/api/" in rule.rule and not rule.rule.endswith("openapi.json"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                served.add((path, method.lower()))
    documented = {(path, method) for path, ops in paths.items() for method in ops}
    assert served <= documented, served - documented


def test_every_write_documents_a_body_too_large_and_too_many_requests(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    posts = {path: ops["post"]["responses"] for path, ops in paths.items() if "post" in ops}
    assert len(posts) >= 5
    for path, responses in posts.items():
        assert {"400", "413", "429"} <= set(responses), path
        assert "Retry-After" in responses["429"]["headers"], path
    for path, ops in paths.items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                assert "application/json" in response.get("content", {}), (method, path, status)


def test_a_body_over_the_limit_is_413_as_documented(client):
    response = client.post("/westdunbartonshire/api/cases/search", data="x" * (1024 * 1024 + 1),
                           content_type="application/json")
    assert response.status_code == 413 and "too large" in response.get_json()["error"]
