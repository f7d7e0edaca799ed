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
