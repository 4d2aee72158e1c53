"""The OpenAPI document says what the API does: every query parameter a view reads (declared once,
where it is read), the media types the answers really have (the public feeds are Atom, GeoJSON and
CAP), and problem types that are pages the app serves."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import request

import web.api
from coordination import Role
from web.api.query import UndeclaredQueryParameter, arg, declared_query
from web.app.problem_types import CATALOGUE
from tests.web.conftest import bearer

API_SOURCES = Path(web.api.__file__).parent


@pytest.fixture
def document(client):
    return client.get("/api/v1/openapi.json").get_json()


def _operations(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def test_no_view_reads_the_query_string_but_through_a_declaration():
    """`request.args` read anywhere but `web.api.query` would be a parameter the document never lists."""
    readers = []
    for source in sorted(API_SOURCES.glob("*.py")):
        if source.name == "query.py":
            continue
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("args", "values") and \
                    isinstance(node.value, ast.Name) and node.value.id == "request":
                readers.append(f"{source.name}:{node.lineno}")
    assert readers == []


def test_every_declared_query_parameter_is_documented_on_its_operation(app, document):
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "openapi.document":
            continue
        declared = declared_query(app.view_functions[rule.endpoint])
        path = rule.rule.replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            operation = next(op for doc_path, doc_method, op in _operations(document)
                             if doc_method == method.lower() and _same_path(doc_path, path))
            documented = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "query"}
            assert documented == set(declared), (rule.endpoint, documented, set(declared))
            checked += len(declared)
    assert checked >= 60  # every list's limit and offset, and the filters


def _same_path(documented: str, rule: str) -> bool:
    # The rule's `{uuid:incident_id}` is the document's `{incident_id}`.
    return documented.split("/") == [part if not part.startswith("{") else "{" + part[1:-1].split(":")[-1] + "}"
                                     for part in rule.split("/")]


def test_a_list_documents_its_filters_with_their_values(document):
    parameters = {parameter["name"]: parameter
                  for parameter in document["paths"]["/api/v1/incidents"]["get"]["parameters"]}
    assert parameters["status"]["schema"] == {"type": "string", "enum": ["open", "resolved", "closed"]}
    assert parameters["limit"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}
    assert parameters["offset"]["in"] == "query" and not parameters["offset"]["required"]


def test_an_undeclared_query_parameter_cannot_be_read(app):
    """Reading a name the view did not declare fails loudly (a 500 in every test that reaches it)."""
    with app.test_request_context("/api/v1/incidents?secret=1"):
        request.url_rule = app.url_map.bind("localhost").match("/api/v1/incidents", return_rule=True)[0]
        with pytest.raises(UndeclaredQueryParameter, match="secret"):
            arg("secret")


@pytest.mark.parametrize("path, media_type", [
    ("/api/v1/public/alerts", "application/atom+xml"),
    ("/api/v1/public/incidents.geojson", "application/geo+json"),
    ("/api/v1/public/incidents", "application/json"),
])
def test_the_public_feeds_are_documented_as_what_they_answer(client, document, path, media_type):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == media_type
    assert list(document["paths"][path]["get"]["responses"]["200"]["content"]) == [media_type]


def test_a_published_alert_is_documented_as_cap(document):
    assert list(document["paths"]["/api/v1/public/alerts/{notice_id}"]["get"]["responses"]["200"]["content"]) == \
        ["application/cap+xml"]


def test_every_problem_type_is_a_page_the_app_serves(client):
    listing = client.get("/problems")
    assert listing.status_code == 200 and listing.mimetype == "text/html"
    for slug, kind in CATALOGUE.items():
        assert f'href="/problems/{slug}"' in listing.get_data(as_text=True)
        page = client.get(f"/problems/{slug}")
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert kind.title in page.get_data(as_text=True)
    assert client.get("/problems/no-such-problem").status_code == 404


@pytest.mark.parametrize("method, path, kwargs, status", [
    ("GET", "/api/v1/incidents", {}, 401),
    ("GET", "/api/v1/incidents?limit=x", {"token": True}, 400),
    ("GET", "/api/v1/tokens", {"token": True}, 403),
    ("GET", "/api/v1/nothing-here", {"token": True}, 404),
    ("DELETE", "/api/v1/incidents", {"token": True}, 405),
    ("POST", "/api/v1/incidents", {"token": True, "data": "x", "content_type": "text/plain"}, 415),
    ("POST", "/api/v1/incidents", {"token": True, "json": {"type": "x"}}, 422),
    ("GET", "/api/v1/sops/x/versions/99999999999", {"token": True}, 422),
])
def test_every_problem_answered_names_a_type_that_resolves(client, make_token, method, path, kwargs, status):
    # A copy: the parameter dict is shared by the SQLite and PostgreSQL runs of this case.
    request = dict(kwargs)
    headers = bearer(make_token(Role.DUTY_OFFICER, "officer")) if request.pop("token", False) else {}
    response = client.open(path, method=method, headers=headers, **request)
    assert response.status_code == status and response.mimetype == "application/problem+json"
    problem_type = response.get_json()["type"]
    assert problem_type.startswith("/problems/")
    assert client.get(problem_type).status_code == 200, problem_type


def test_the_document_says_where_problem_types_are_explained(document):
    problem = document["components"]["schemas"]["Problem"]["properties"]["type"]
    assert problem["format"] == "uri-reference" and "/problems" in problem["description"]
