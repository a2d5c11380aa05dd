"""The API reference page and the OpenAPI document: vendored Redoc, no CDN, bearer security."""

from __future__ import annotations

import re

from flask import Flask


def test_docs_page_uses_only_vendored_files(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "http" not in csp
    script = client.get("/static/vendor/redoc/redoc.standalone.js")
    assert script.status_code == 200 and len(script.data) > 500_000
    licence = client.get("/static/vendor/redoc/LICENSE").get_data(as_text=True)
    assert "MIT License" in licence


def test_openapi_document_is_3_1_with_bearer_security_and_problem_errors(app: Flask) -> None:
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    assert spec["openapi"] == "3.1.0"
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    not_found = spec["components"]["responses"]["NOT_FOUND"]["content"]
    assert list(not_found) == ["application/problem+json"]
    money = spec["components"]["schemas"]["OpportunityCreate"]["properties"]["amount"]
    assert money["type"] == "string" and "pattern" in money
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            assert "401" in operation["responses"], f"{method} {path} does not document 401"


def test_openapi_document_lists_every_api_route_and_method(app: Flask) -> None:
    """The document is written when first read: it still holds every route the app serves."""
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    documented = {
        (path, method.upper())
        for path, operations in spec["paths"].items()
        for method in operations
        if method != "parameters"
    }
    served = {
        (re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/")
        and rule.endpoint.split(".")[0] != "api-docs"
        and rule.endpoint != "api_docs_page.docs"
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert len(served) > 30
    assert served <= documented, sorted(served - documented)
